import { type Decision, decide, type Need } from "../http/access.js";
import type { Principal } from "../http/auth.js";

/** Fine-grained/app permissions the organization reports accept ("View Organization Copilot Metrics"). */
export const REPORT_ORG_PERMISSIONS = ["organization_copilot_metrics", "copilot_business"];

const ORG_NEED: Need = {
  scopes: ["read:org", "read:enterprise", "manage_billing:copilot"],
  permissions: REPORT_ORG_PERMISSIONS,
  role: "admin",
  roleMessage:
    "Only organization owners and owners and billing managers of the parent enterprise can view Copilot usage metrics reports for this organization.",
};

const ENTERPRISE_NEED: Need = {
  scopes: ["manage_billing:copilot", "read:enterprise"],
  permissions: [],
  role: "enterprise",
  roleMessage:
    "Only enterprise owners and billing managers can view Copilot usage metrics reports for the enterprise.",
};

/** The access rule of the usage-metrics report routes (usage-metrics-reports.md, "Access"). */
export function decideReport(
  p: Principal,
  level: "org" | "ent",
  t: { enterpriseId: number | null; orgId: number | null },
): Decision {
  return decide(p, t, level === "org" ? ORG_NEED : ENTERPRISE_NEED);
}
