/** One day of GitHub's Copilot metrics document, as the four metrics routes return it (docs/metrics-semantics.md). */

export interface Model {
  name: string;
  is_custom_model: boolean;
  custom_model_training_date: string | null;
  total_engaged_users: number;
}

export interface CompletionLanguageCounts {
  name: string;
  total_engaged_users: number;
  total_code_suggestions: number;
  total_code_acceptances: number;
  total_code_lines_suggested: number;
  total_code_lines_accepted: number;
}

export interface CompletionModel extends Model {
  languages?: CompletionLanguageCounts[];
}

export interface CompletionEditor {
  name: string;
  total_engaged_users: number;
  models?: CompletionModel[];
}

export interface IdeChatModel extends Model {
  total_chats: number;
  total_chat_insertion_events: number;
  total_chat_copy_events: number;
}

export interface IdeChatEditor {
  name: string;
  total_engaged_users: number;
  models?: IdeChatModel[];
}

export interface DotcomChatModel extends Model {
  total_chats: number;
}

export interface PrModel extends Model {
  total_pr_summaries_created: number;
}

export interface PrRepository {
  name: string;
  total_engaged_users: number;
  models?: PrModel[];
}

export interface DayMetrics {
  date: string;
  total_active_users: number;
  total_engaged_users: number;
  copilot_ide_code_completions: {
    total_engaged_users: number;
    languages?: { name: string; total_engaged_users: number }[];
    editors?: CompletionEditor[];
  } | null;
  copilot_ide_chat: { total_engaged_users: number; editors?: IdeChatEditor[] } | null;
  copilot_dotcom_chat: { total_engaged_users: number; models?: DotcomChatModel[] } | null;
  copilot_dotcom_pull_requests: { total_engaged_users: number; repositories?: PrRepository[] } | null;
}

/** `GET /orgs/{org}/copilot/billing`, the part the dashboard reads. */
export interface Billing {
  seat_breakdown: {
    total: number;
    added_this_cycle: number;
    pending_invitation: number;
    pending_cancellation: number;
    active_this_cycle: number;
    inactive_this_cycle: number;
  };
}
