/** GitHub's `copilot-usage-metrics-day`, as pilotlog writes it (field order is GitHub's example order). Types only: the dashboard (web/src/metrics-types.ts) imports these too, so the shape is declared once. */

export interface ModelInfo {
  name: string;
  is_custom_model: boolean;
  custom_model_training_date: string | null;
}

export interface CompletionLanguageLeaf {
  name: string;
  total_engaged_users: number;
  total_code_suggestions: number;
  total_code_acceptances: number;
  total_code_lines_suggested: number;
  total_code_lines_accepted: number;
}

export interface CompletionModel extends ModelInfo {
  total_engaged_users: number;
  languages: CompletionLanguageLeaf[];
}

export interface CodeCompletions {
  total_engaged_users: number;
  languages?: { name: string; total_engaged_users: number }[];
  editors?: { name: string; total_engaged_users: number; models: CompletionModel[] }[];
}

export interface IdeChatModel extends ModelInfo {
  total_engaged_users: number;
  total_chats: number;
  total_chat_insertion_events: number;
  total_chat_copy_events: number;
}

export interface IdeChat {
  total_engaged_users: number;
  editors?: { name: string; total_engaged_users: number; models: IdeChatModel[] }[];
}

export interface DotcomChat {
  total_engaged_users: number;
  models?: (ModelInfo & { total_engaged_users: number; total_chats: number })[];
}

export interface PullRequests {
  total_engaged_users: number;
  repositories?: {
    name: string;
    total_engaged_users: number;
    models: (ModelInfo & { total_pr_summaries_created: number; total_engaged_users: number })[];
  }[];
}

export interface DayDocument {
  date: string;
  total_active_users: number;
  total_engaged_users: number;
  copilot_ide_code_completions: CodeCompletions;
  copilot_ide_chat: IdeChat;
  copilot_dotcom_chat: DotcomChat;
  copilot_dotcom_pull_requests: PullRequests;
}
