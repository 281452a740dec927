/**
 * What each number means, shown on hover and keyboard focus. The words follow docs/metrics-semantics.md, so
 * the dashboard, the API and its tests agree.
 */

const COUNTED =
  "Counted users are the members of the scope at the end of the day who have telemetry enabled.";

export const DEF = {
  activeUsers: `Users with at least one Copilot event of any type that day. ${COUNTED}`,
  engagedUsers:
    "Users with at least one accepted completion, chat prompt (IDE or github.com), pull request summary, or engaged activity that day.",
  lastDay:
    "The last day of the range that the API returned; the API only serves closed UTC days, up to yesterday.",
  rateByCount:
    "Code completion acceptance rate by count: Σ acceptances ÷ Σ suggestions (completion.accepted events, full and partial, over completion.suggested events).",
  rateByLines: "Acceptance rate by lines: Σ lines accepted ÷ Σ lines suggested.",
  suggestions: "Count of completion.suggested events (total_code_suggestions).",
  acceptances: "Count of completion.accepted events, full and partial (total_code_acceptances).",
  linesSuggested: "Sum of the lines of suggestions (total_code_lines_suggested).",
  linesAccepted: "Sum of the lines of acceptances (total_code_lines_accepted).",
  completionEngaged:
    "Users with at least one completion.accepted that day (in this language, editor or model).",
  peakEngaged:
    "The highest daily count of engaged users in the range. Daily counts cannot be added up: the same person is counted on every day they used it.",
  peakActive: "The highest daily count of active users in the range.",
  language: "One entry per language with any completion event; engaged: users who accepted in that language.",
  editor: "One entry per editor with any completion event; engaged: users who accepted in that editor.",
  model:
    'Model that served the suggestion ("default" when the event named none). Custom models are those named in the directory file, with their training date.',
  ideChats: "Count of chat.prompted events with surface ide (total_chats).",
  insertions: "Count of chat.inserted events: code from a chat answer inserted into the editor.",
  copies: "Count of chat.copied events: code copied from a chat answer.",
  ideChatEngaged: "Users with a chat.prompted in the IDE that day (in this editor, or editor and model).",
  dotcomChats: "Count of chat.prompted events with surface dotcom (github.com chat).",
  dotcomEngaged: "Users with a chat.prompted on github.com that day (with this model).",
  prSummaries: "Pull request summaries created (pull_request.summarized events).",
  prEngaged: "Users with a pull_request.summarized that day (in this repository).",
  seatsTotal:
    "Copilot seats valid today assigned by this organization (GET /orgs/{org}/copilot/billing, seat_breakdown.total).",
  seatsActive:
    "Seats whose holder had Copilot activity in the current billing cycle, since the 1st of this month (seat_breakdown.active_this_cycle).",
  seatsInactive: "Seats with no activity in the current billing cycle (seat_breakdown.inactive_this_cycle).",
  adoption: "Active seats ÷ total seats: the share of assigned seats used this billing cycle.",
  activeOfSeats:
    "Active users on the last day ÷ total seats today. Users without an organization seat (enterprise seats) can make it exceed 100%.",
  gaps: "A day is missing when no counted user was active that day, or, for organizations, teams and enterprise teams, when fewer than 5 members held an active Copilot seat at the end of the day (the privacy threshold). The enterprise endpoint has no threshold. Missing days are gaps, never zeros.",
} as const;

export type Term = keyof typeof DEF;
