/**
 * GitHub's `copilot-organization-details` (`GET /orgs/{org}/copilot/billing`) as pilotlog writes it. Types only:
 * the dashboard (web/src/metrics-types.ts) imports it too, so the shape is declared once; src/rollup/document.test.ts
 * checks at compile time that it is one of GitHub's (@octokit/openapi-types) and names no field GitHub's does not.
 */
export type CopilotBilling = {
  seat_breakdown: {
    total: number;
    added_this_cycle: number;
    pending_invitation: number;
    pending_cancellation: number;
    active_this_cycle: number;
    inactive_this_cycle: number;
  };
  public_code_suggestions: "allow" | "block" | "unconfigured";
  ide_chat: "enabled" | "disabled" | "unconfigured";
  platform_chat: "enabled" | "disabled" | "unconfigured";
  cli: "enabled" | "disabled" | "unconfigured";
  seat_management_setting: "assign_all" | "assign_selected" | "disabled" | "unconfigured";
  plan_type: "business" | "enterprise";
};
