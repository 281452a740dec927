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
  reportUsers:
    "One row per user with a usage-metrics record in this scope and range (GET …/copilot/metrics/reports/users-28-day/latest and users-1-day, one record per user and day). Records cover IDE completions and chat, agent edits, Copilot CLI and third-party agents; github.com chat and PR summaries alone make none. Click a heading to sort.",
  activeDays: "Days of the range with a record for this user: any event the reports cover that day.",
  userAccepted:
    "Code completions accepted: code_acceptance_activity_count of the code_completion feature (completion.accepted events).",
  prompts:
    "user_initiated_interaction_count: IDE chat prompts in every mode (chat.prompted) plus Copilot CLI prompts (cli.session prompts).",
  agentEdits:
    "agent.edit events: edits an agent applied to files (the agent_edit feature's code_generation_activity_count).",
  linesAdded:
    "loc_added_sum: lines of accepted completions, of inserted or copied chat code, and lines_added of agent edits.",
  linesDeleted: "loc_deleted_sum: lines_deleted of agent edits (GitHub counts no other deletions).",
  cliSessions: "Copilot CLI sessions: totals_by_cli.session_count (cli.session events).",
  chatModes:
    "IDE chat per mode (totals_by_feature: chat_panel_ask_mode, …_edit_mode, …_agent_mode, …_plan_mode, …_custom_mode, chat_inline, …_unknown_mode when the event named no mode).",
  modePrompts: "chat.prompted events in this mode (user_initiated_interaction_count).",
  modeGenerated: "chat.code_generated events: code blocks Copilot proposed in this mode.",
  modeAccepted: "chat.inserted + chat.copied events: code taken from a chat answer.",
  modeLines: "Lines of inserted or copied chat code (loc_added_sum of the mode).",
  distinctUsers: "Distinct users with any of this activity in the range (each counted once, not once a day).",
  agentEditTotals:
    "agent.edit events over the range, with the lines they added and deleted, per model (default when the event named none).",
  cliRequests: "Model requests of Copilot CLI sessions (totals_by_cli.request_count).",
  cliPrompts: "Prompts typed in Copilot CLI sessions (totals_by_cli.prompt_count).",
  cliTokens: "Prompt and output tokens of Copilot CLI sessions (totals_by_cli.token_usage).",
  cliAvg: "(prompt tokens + output tokens) ÷ requests over the range.",
  cliVersion: "Each user's latest Copilot CLI version in the range (last_known_cli_version).",
  thirdParty:
    "Agents other than Copilot (totals_by_3rd_party_agent, agent.session events): Claude Code, Gemini CLI, Codex…; agent id is the tool's service name.",
  agentPrompts: "Prompts sent to the agent (Σ prompts of agent.session events).",
  agentSessions: "Agent sessions (count of agent.session events).",
  otlpTools:
    "What each tool reported over OpenTelemetry (GET /telemetry/v1/usage) for the users of this scope: tokens, cost in USD and lines. For an organization or team: its members today and everyone with a record in the range; for an enterprise team: those with a record; for an enterprise: every row your token may read (an enterprise owner reads everyone's, an organization owner its members', anyone else their own).",
  otlpModels:
    "Tokens and cost per tool and model, where the tool reports them: Claude Code sends tokens and cost, Gemini CLI, Codex, Copilot CLI and Copilot Chat tokens only.",
  inputTokens: "Input (prompt) tokens the tool reported.",
  outputTokens: "Output tokens the tool reported.",
  cacheTokens: "Cache read and cache creation tokens (Claude Code's cacheRead and cacheCreation).",
  totalTokens: "Input + output + cache + other tokens.",
  cost: "Cost in USD as the tool reported it (claude_code.cost.usage); — when the tool reports no cost.",
  otlpLines:
    "Lines added and removed that the tool reported beside its events (Copilot CLI's session lines, Gemini CLI's); — when none. Claude Code's lines are agent edits: they are in the per-user table and Agent edits.",
} as const;

export type Term = keyof typeof DEF;
