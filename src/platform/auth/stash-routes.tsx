import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import type { AppContext } from "../context";
import type { MessageKey } from "../i18n";
import { Layout } from "../web/layout";
import { sendPage, type ViewContext, viewContext } from "../web/view";
import { endStash, findStash, type Stash } from "./stash";

/** Where the page after "log in again" goes: the resume page, which sends on to / when nothing was kept. */
export const RESUME_PATH = "/session/resume";

/**
 * The answer to a state-changing request whose session has ended (decision 0057): 401, in the reader's
 * language, never the 403 "no access" page. `kept` says whether what was typed is waiting on the
 * resume page after logging in again, or could not be kept (then: the browser's Back button).
 */
export function sendSessionEnded(request: FastifyRequest, reply: FastifyReply, kept: boolean) {
  const ctx = viewContext(request);
  const accept = String(request.headers.accept ?? "");
  if (request.url.startsWith("/api/") || accept.startsWith("application/json")) {
    return reply.code(401).send({ error: "session_ended", message: ctx.t("sx.ended.api"), correlation_id: request.id });
  }
  const limits = request.server.ctx.config;
  return sendPage(reply, h(SessionEndedPage, { ctx, kept, idle: limits.SCHAKEL_SESSION_IDLE_MINUTES, hours: limits.SCHAKEL_SESSION_ABSOLUTE_HOURS }), 401);
}

function SessionEndedPage(props: { ctx: ViewContext; kept: boolean; idle: number; hours: number }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("sx.ended.title")}>
      <h1>{t("sx.ended.title")}</h1>
      <p class="lead">{t("sx.ended.nothing")}</p>
      <p id="session-ended-what">{t(props.kept ? "sx.ended.kept" : "sx.ended.lost")}</p>
      <p>{t("sx.ended.why", { idle: props.idle, hours: props.hours })}</p>
      <p>
        <a class="button" id="login-again" href={props.kept ? `/login?next=${encodeURIComponent(RESUME_PATH)}` : "/login"}>
          {t("sx.ended.login")}
        </a>
      </p>
    </Layout>
  );
}

/** Which form it was, by its route (never by its content). */
const FORM_NAMES: [RegExp, MessageKey][] = [
  [/^POST \/reports$/, "sx.form.report"],
  [/^POST \/reports\/:reference$/, "sx.form.report_draft"],
  [/^POST \/reports\/:reference\/supplement$/, "sx.form.supplement"],
  [/^POST \/meetings\/:id\/cases\/:caseId\/minutes$/, "sx.form.minutes"],
  [/^POST \/(cases\/:id\/feedback|feedback\/)/, "sx.form.feedback"],
  [/^POST \/cases\/(:id\/actions|actions\/)/, "sx.form.action"],
  [/\/:id\/decision$/, "sx.form.decision"],
  [/^POST \/meetings/, "sx.form.meeting"],
];
const formName = (route: string): MessageKey => FORM_NAMES.find(([re]) => re.test(route))?.[1] ?? "sx.form.other";

function ResumePage(props: { ctx: ViewContext; stash: Stash }) {
  const { ctx, stash } = props;
  const { t } = ctx;
  const name = formName(stash.route);
  return (
    <Layout ctx={ctx} title={t("sx.resume.title")}>
      <h1>{t("sx.resume.title")}</h1>
      <p class="lead">{t("sx.resume.intro")}</p>
      <p id="resume-form-name">
        <strong>{t(name)}</strong>
        {name === "sx.form.other" ? (
          <>
            {" "}
            (<code>{stash.path.split("?")[0]}</code>)
          </>
        ) : null}
      </p>
      <p>{t("sx.resume.nothing")}</p>
      <p>{t("sx.resume.send_hint")}</p>
      {/* The kept fields go back as hidden inputs to the form's own address: its handler checks them as always. */}
      <form method="post" action={stash.path}>
        {stash.fields.map(([field, value]) => (
          <input type="hidden" name={field} value={value} />
        ))}
        <input type="hidden" name="_csrf" value={ctx.csrfToken ?? ""} />
        <input type="hidden" name="_resume" value={stash.id} />
        <button type="submit" id="resume-send">
          {t("sx.resume.send")}
        </button>
      </form>
      <p>{t("sx.resume.discard_hint")}</p>
      <form method="post" action={`${RESUME_PATH}/discard`}>
        <input type="hidden" name="_csrf" value={ctx.csrfToken ?? ""} />
        <button type="submit" id="resume-discard" class="secondary">
          {t("sx.resume.discard")}
        </button>
      </form>
    </Layout>
  );
}

/** The resume page and its discard (only the person's own stash; nothing kept: on to the start page). */
export function stashRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get(RESUME_PATH, { config: { permission: "authenticated" } }, async (request, reply) => {
    const stash = await findStash(ctx, request.actor!.userId);
    if (!stash) return reply.redirect("/", 303);
    return sendPage(reply, h(ResumePage, { ctx: viewContext(request), stash }));
  });

  app.post(`${RESUME_PATH}/discard`, { config: { permission: "authenticated" } }, async (request, reply) => {
    await endStash(request, "discard");
    return reply.redirect("/", 303);
  });
}
