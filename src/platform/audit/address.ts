import { isIPv4, isIPv6 } from "node:net";

/**
 * The client address as the audit log keeps it (decision 0053): the network, not the device.
 * IPv4 is cut to its /24 ("203.0.113.0/24"), IPv6 to its /48 ("2001:db8:abcd::/48"), an IPv4-mapped
 * IPv6 address as IPv4. That still tells an investigator which organisation's network or provider a
 * request came from, but no longer singles out one household or device. Entries written before this
 * rule keep their full address: the hash chain covers it, and rewriting it would break `schakel audit
 * verify` (the chain is the proof). Values that are no IP address (a job's marker such as "cli") stay as
 * they are, cut to 64 characters.
 */
export function auditAddress(address: string | null | undefined): string | null {
  if (!address) return null;
  const a = address.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  const v4 = mapped ? mapped[1] : a;
  if (isIPv4(v4)) return `${v4.split(".").slice(0, 3).join(".")}.0/24`;
  if (isIPv6(a)) return `${expandIPv6(a).slice(0, 3).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/48`;
  return a.slice(0, 64);
}

/** The eight groups of an IPv6 address (zone id dropped; an embedded IPv4 tail counted as two groups). */
function expandIPv6(a: string): string[] {
  const text = a.split("%")[0].toLowerCase();
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const groups = (s: string | undefined) => (s ? s.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : []);
  const h = groups(head);
  const t = groups(tail);
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill("0");
  return [...h, ...fill, ...t].map((g) => g.padStart(4, "0"));
}
