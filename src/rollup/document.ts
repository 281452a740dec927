/**
 * GitHub's `copilot-usage-metrics-day`, as pilotlog writes it (field order is GitHub's example order). Types only:
 * the dashboard (web/src/metrics-types.ts) imports these too, so the shape is declared once. GitHub's own
 * description of it (@octokit/openapi-types 28, the last to carry the legacy metrics routes) is looser (every
 * field optional, any extra key allowed); `document.test.ts` checks at compile time that this shape is one of
 * GitHub's and names no field GitHub's does not. Type aliases, not interfaces, so that they are assignable to
 * GitHub's index-signature types.
 */

export type ModelInfo = {
  name: string;
  is_custom_model: boolean;
  custom_model_training_date: string | null;
};

export type CompletionLanguageLeaf = {
  name: string;
  total_engaged_users: number;
  total_code_suggestions: number;
  total_code_acceptances: number;
  total_code_lines_suggested: number;
  total_code_lines_accepted: number;
};

export type CompletionModel = ModelInfo & {
  total_engaged_users: number;
  languages: CompletionLanguageLeaf[];
};

export type CodeCompletions = {
  total_engaged_users: number;
  languages?: { name: string; total_engaged_users: number }[];
  editors?: { name: string; total_engaged_users: number; models: CompletionModel[] }[];
};

export type IdeChatModel = ModelInfo & {
  total_engaged_users: number;
  total_chats: number;
  total_chat_insertion_events: number;
  total_chat_copy_events: number;
};

export type IdeChat = {
  total_engaged_users: number;
  editors?: { name: string; total_engaged_users: number; models: IdeChatModel[] }[];
};

export type DotcomChat = {
  total_engaged_users: number;
  models?: (ModelInfo & { total_engaged_users: number; total_chats: number })[];
};

export type PullRequests = {
  total_engaged_users: number;
  repositories?: {
    name: string;
    total_engaged_users: number;
    models: (ModelInfo & { total_pr_summaries_created: number; total_engaged_users: number })[];
  }[];
};

export type DayDocument = {
  date: string;
  total_active_users: number;
  total_engaged_users: number;
  copilot_ide_code_completions: CodeCompletions;
  copilot_ide_chat: IdeChat;
  copilot_dotcom_chat: DotcomChat;
  copilot_dotcom_pull_requests: PullRequests;
};
