import type { Breakdowns as B, ChatRow, CompletionRow, DotcomRow, PrRow } from "./aggregate.js";
import { rate } from "./aggregate.js";
import { type Column, DataTable } from "./DataTable.js";
import { count, percent } from "./format.js";

/** A share bar behind a percentage, so a column of rates reads at a glance. */
function Rate(props: { value: number | null }) {
  return (
    <span class="rate">
      <span class="rate-bar" aria-hidden="true" style={{ width: `${Math.min(100, props.value ?? 0)}%` }} />
      <span class="rate-text">{percent(props.value)}</span>
    </span>
  );
}

const completionColumns = (nameLabel: string, withEngaged: boolean): Column<CompletionRow>[] => [
  { label: nameLabel, value: (r) => r.name },
  { label: "Suggestions", term: "suggestions", numeric: true, value: (r) => count(r.suggestions) },
  { label: "Acceptances", term: "acceptances", numeric: true, value: (r) => count(r.acceptances) },
  {
    label: "Acceptance rate",
    term: "rateByCount",
    numeric: true,
    value: (r) => <Rate value={rate(r.acceptances, r.suggestions)} />,
  },
  { label: "Lines suggested", term: "linesSuggested", numeric: true, value: (r) => count(r.linesSuggested) },
  { label: "Lines accepted", term: "linesAccepted", numeric: true, value: (r) => count(r.linesAccepted) },
  {
    label: "Rate by lines",
    term: "rateByLines",
    numeric: true,
    value: (r) => <Rate value={rate(r.linesAccepted, r.linesSuggested)} />,
  },
  ...(withEngaged
    ? [
        {
          label: "Peak daily engaged",
          term: "peakEngaged" as const,
          numeric: true,
          value: (r: CompletionRow) => count(r.peakEngaged),
        },
      ]
    : []),
];

const modelColumns: Column<CompletionRow>[] = [
  ...completionColumns("Model", false),
  {
    label: "Custom model",
    term: "model",
    value: (r) => (r.custom == null ? "no" : r.custom ? `yes, trained ${r.custom}` : "yes"),
  },
];

const chatColumns: Column<ChatRow>[] = [
  { label: "Editor / model", value: (r) => (r.model === null ? r.editor : `↳ ${r.model}`) },
  { label: "Chats", term: "ideChats", numeric: true, value: (r) => count(r.chats) },
  { label: "Insertion events", term: "insertions", numeric: true, value: (r) => count(r.insertions) },
  { label: "Copy events", term: "copies", numeric: true, value: (r) => count(r.copies) },
  { label: "Peak daily engaged", term: "ideChatEngaged", numeric: true, value: (r) => count(r.peakEngaged) },
];

const dotcomColumns: Column<DotcomRow>[] = [
  { label: "Model", value: (r) => r.model },
  { label: "Chats", term: "dotcomChats", numeric: true, value: (r) => count(r.chats) },
  { label: "Peak daily engaged", term: "dotcomEngaged", numeric: true, value: (r) => count(r.peakEngaged) },
];

const prColumns: Column<PrRow>[] = [
  { label: "Repository", value: (r) => r.repository },
  { label: "PR summaries", term: "prSummaries", numeric: true, value: (r) => count(r.summaries) },
  { label: "Peak daily engaged", term: "prEngaged", numeric: true, value: (r) => count(r.peakEngaged) },
  { label: "Models", term: "model", value: (r) => r.models.join(", ") },
];

const none = "No events of this kind in the range.";

/** The breakdown tables over the range: completions by language, editor and model; chat; PR summaries. */
export function BreakdownTables(props: { b: B }) {
  const b = props.b;
  return (
    <div class="tables">
      <DataTable
        id="by-language"
        caption="Code completions by language"
        term="language"
        rows={b.languages}
        columns={completionColumns("Language", true)}
        rowKey={(r) => r.name}
        empty={none}
      />
      <DataTable
        id="by-editor"
        caption="Code completions by editor"
        term="editor"
        rows={b.editors}
        columns={completionColumns("Editor", true)}
        rowKey={(r) => r.name}
        empty={none}
      />
      <DataTable
        id="by-model"
        caption="Code completions by model"
        term="model"
        rows={b.models}
        columns={modelColumns}
        rowKey={(r) => r.name}
        empty={none}
      />
      <DataTable
        id="ide-chat"
        caption="IDE chat by editor and model"
        term="ideChats"
        rows={b.ideChat}
        columns={chatColumns}
        rowKey={(r) => `${r.editor}/${r.model ?? ""}`}
        rowClass={(r) => (r.model === null ? "group" : "sub")}
        empty={none}
      />
      <DataTable
        id="dotcom-chat"
        caption="github.com chat by model"
        term="dotcomChats"
        rows={b.dotcomChat}
        columns={dotcomColumns}
        rowKey={(r) => r.model}
        empty={none}
      />
      <DataTable
        id="pull-requests"
        caption="Pull request summaries by repository"
        term="prSummaries"
        rows={b.pullRequests}
        columns={prColumns}
        rowKey={(r) => r.repository}
        empty={none}
      />
    </div>
  );
}
