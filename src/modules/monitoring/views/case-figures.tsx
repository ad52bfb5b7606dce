import { ScrollRegion } from "../../../platform/web/fields";
import { type Sector, sectorLabel } from "../../identity/sectors";
import type { ViewContext } from "../../../platform/web/view";
import { type QuarterTable, type Shown, type Total, totalText } from "../case-figures";

/** "Casusoverleg per kwartaal": aggregates only, one table per whole ended quarter, Flanders first, then the LIVCs. */
export function CaseFiguresSection(props: { ctx: ViewContext; tables: QuarterTable[]; date: string }) {
  const { ctx, tables } = props;
  const { t } = ctx;
  const shown = (v: Shown) => (v === "<5" ? "<5" : ctx.num(v));
  const total = (v: Total) => totalText(v, t, ctx.num);
  const sectors = (s: Sector[]) => s.map((x) => sectorLabel(x, ctx.locale)).join(", ");
  return (
    <section aria-labelledby="cases-title">
      <h2 id="cases-title">{t("mon.cases.title")}</h2>
      <p>{t("mon.cases.intro")}</p>
      <p class="hint">{t("mon.cases.whole_quarters")}</p>
      <p class="hint">{t("mon.cases.small_counts")}</p>
      {tables.map(({ quarter, flanders, livcs }) => {
        const caption = t("mon.cases.quarter", { q: String(quarter.q), year: String(quarter.year) });
        const id = `cases-${quarter.key}`;
        return (
          <>
            <h3 id={`${id}-title`}>{caption}</h3>
            <ScrollRegion label={caption}>
              <table id={id} data-quarter={quarter.key}>
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("mon.col.livc")}</th>
                    <th scope="col">{t("mon.cases.opened")}</th>
                    <th scope="col">{t("mon.cases.closed")}</th>
                    <th scope="col">{t("mon.cases.held")}</th>
                    <th scope="col">{t("mon.cases.sectors")}</th>
                  </tr>
                </thead>
                <tbody>
                  <tr class="total" data-livc="flanders">
                    <th scope="row">{t("mon.cases.flanders")}</th>
                    <td>{total(flanders.casesOpened)}</td>
                    <td>{total(flanders.casesClosed)}</td>
                    <td>{total(flanders.consultationsHeld)}</td>
                    <td>{sectors(flanders.sectorsPresent)}</td>
                  </tr>
                  {livcs.map((l) => (
                    <tr data-livc={l.livcCode}>
                      <th scope="row">{l.livcName}</th>
                      <td>{shown(l.casesOpened)}</td>
                      <td>{shown(l.casesClosed)}</td>
                      <td>{shown(l.consultationsHeld)}</td>
                      <td>{sectors(l.sectorsPresent)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollRegion>
            {livcs.length === 0 ? <p>{t("mon.cases.none")}</p> : null}
          </>
        );
      })}
      <p>
        <a href={`/monitoring/participation?date=${props.date}`}>{t("mon.cases.participation")}</a>
      </p>
    </section>
  );
}
