import { useEffect, useMemo, useState } from "preact/hooks";
import { type Api, ApiFailure } from "./api.js";
import { type Column, DataTable } from "./DataTable.js";
import { shortDay } from "./dates.js";
import { count, decimal, usd } from "./format.js";
import { Problem } from "./Problem.js";
import { Kpi } from "./Results.js";
import {
  type AgentRow,
  agentEdits,
  chatByMode,
  cliActivity,
  type EditRow,
  type ModeRow,
  thirdPartyAgents,
  userRows,
} from "./report-aggregate.js";
import { loadReports, type ReportData } from "./reports-load.js";
import { isTeamKind, type View } from "./scope.js";
import { Term } from "./Term.js";
import { UserTable } from "./UserTable.js";
import {
  type ModelRow,
  type ToolRow,
  toolName,
  usageByModel,
  usageByTool,
  usageOf,
} from "./usage-aggregate.js";

const EMPTY = {
  users:
    "No user records in this range. Records are made when a day is processed, from IDE telemetry events (POST /telemetry/v1/events), OpenTelemetry (POST /v1/logs, /v1/metrics, /v1/traces) or imported GitHub report files.",
  modes:
    "No IDE chat in this range: chat.prompted events fill it, with their mode (telemetry-events v1.1: ask, edit, agent, plan, custom, inline); Copilot Chat's OpenTelemetry spans (invoke_agent) count in the mode their agent names, else unknown.",
  edits:
    "No agent edits in this range: agent.edit events fill it, from the native route or over OpenTelemetry (Copilot Chat's copilot_chat.edit.acceptance.count, Claude Code's and Gemini CLI's accepted edits and lines).",
  cli: "No CLI sessions in this range: Copilot CLI sends them via OpenTelemetry (OTEL_EXPORTER_OTLP_ENDPOINT pointing at this server, service github-copilot), or a relay sends cli.session events.",
  agents:
    "No third-party agent sessions in this range: Claude Code, Gemini CLI and Codex send them via OpenTelemetry (see the README's settings for each tool), or a relay sends agent.session events.",
  usage:
    "No OpenTelemetry usage for this scope in this range: tokens, cost and lines appear when Claude Code, Gemini CLI, Codex, Copilot CLI or Copilot Chat export their telemetry to this server (OTEL_EXPORTER_OTLP_ENDPOINT).",
};

const modeColumns: Column<ModeRow>[] = [
  { label: "Mode", value: (r) => r.mode },
  { label: "Prompts", term: "modePrompts", numeric: true, value: (r) => count(r.prompts) },
  { label: "Code generated", term: "modeGenerated", numeric: true, value: (r) => count(r.generations) },
  { label: "Inserted or copied", term: "modeAccepted", numeric: true, value: (r) => count(r.acceptances) },
  { label: "Lines added", term: "modeLines", numeric: true, value: (r) => count(r.linesAdded) },
  { label: "Users", term: "distinctUsers", numeric: true, value: (r) => count(r.users) },
];

const editColumns: Column<EditRow>[] = [
  { label: "Model", term: "model", value: (r) => r.model },
  { label: "Edits", term: "agentEdits", numeric: true, value: (r) => count(r.edits) },
  { label: "Lines added", term: "agentEditTotals", numeric: true, value: (r) => count(r.linesAdded) },
  { label: "Lines deleted", term: "linesDeleted", numeric: true, value: (r) => count(r.linesDeleted) },
  { label: "Users", term: "distinctUsers", numeric: true, value: (r) => count(r.users) },
];

const agentColumns: Column<AgentRow>[] = [
  { label: "Agent", value: (r) => r.name },
  { label: "Agent id", term: "thirdParty", value: (r) => <code>{r.agentId}</code> },
  { label: "Prompts", term: "agentPrompts", numeric: true, value: (r) => count(r.prompts) },
  { label: "Sessions", term: "agentSessions", numeric: true, value: (r) => count(r.sessions) },
  { label: "Users", term: "distinctUsers", numeric: true, value: (r) => count(r.users) },
];

const tokenColumns = <R extends ToolRow | ModelRow>(): Column<R>[] => [
  { label: "Input tokens", term: "inputTokens", numeric: true, value: (r) => count(r.inputTokens) },
  { label: "Output tokens", term: "outputTokens", numeric: true, value: (r) => count(r.outputTokens) },
  { label: "Cache tokens", term: "cacheTokens", numeric: true, value: (r) => count(r.cacheTokens) },
  { label: "Total tokens", term: "totalTokens", numeric: true, value: (r) => count(r.totalTokens) },
  { label: "Cost", term: "cost", numeric: true, value: (r) => usd(r.cost) },
];

const toolColumns: Column<ToolRow>[] = [
  { label: "Tool", value: (r) => toolName(r.tool) },
  { label: "Users", term: "distinctUsers", numeric: true, value: (r) => count(r.users) },
  ...tokenColumns<ToolRow>(),
  { label: "Lines added", term: "otlpLines", numeric: true, value: (r) => count(r.linesAdded) },
  { label: "Lines deleted", term: "otlpLines", numeric: true, value: (r) => count(r.linesDeleted) },
];

const modelColumns: Column<ModelRow>[] = [
  { label: "Tool / model", value: (r) => `${toolName(r.tool)} · ${r.model}` },
  ...tokenColumns<ModelRow>(),
  { label: "Users", term: "distinctUsers", numeric: true, value: (r) => count(r.users) },
];

/** Everything the usage-metrics reports and the OpenTelemetry usage add, for one scope and range. */
function Panels(props: { data: ReportData; view: View }) {
  const { records, usage } = props.data;
  const users = useMemo(() => userRows(records), [records]);
  const modes = useMemo(() => chatByMode(records), [records]);
  const edits = useMemo(() => agentEdits(records), [records]);
  const cli = useMemo(() => cliActivity(records), [records]);
  const agents = useMemo(() => thirdPartyAgents(records), [records]);
  const scoped = useMemo(
    () => (usage instanceof ApiFailure ? [] : usageOf(usage.usage, props.data.usageUsers)),
    [usage, props.data.usageUsers],
  );
  const tools = useMemo(() => usageByTool(scoped), [scoped]);
  const models = useMemo(() => usageByModel(scoped), [scoped]);
  const { unavailable, teamHidden } = props.data;
  return (
    <>
      {unavailable.length > 0 && (
        <p class="note" data-note="reports-unavailable">
          No report for {unavailable.length === 1 ? "one day" : `${unavailable.length} days`} of the range (
          {unavailable.map(shortDay).join(", ")}): reports exist for processed days before today, within the
          retention.
        </p>
      )}
      {teamHidden && teamHidden.length > 0 && (
        <p class="note" data-note="team-hidden">
          The team is missing from the user-teams report on {teamHidden.length} day
          {teamHidden.length === 1 ? "" : "s"} with records ({teamHidden.map(shortDay).join(", ")}): it had
          fewer than 5 seated members then (the privacy threshold), so its members' records of those days are
          not shown.
        </p>
      )}
      <UserTable rows={users} empty={EMPTY.users} />
      <div class="tables">
        <DataTable
          id="chat-modes"
          caption="IDE chat by mode"
          term="chatModes"
          rows={modes}
          columns={modeColumns}
          rowKey={(r) => r.feature}
          empty={EMPTY.modes}
        />
        <section class="card" aria-labelledby="agent-edits-h" id="agent-edits">
          <h3 id="agent-edits-h">
            <Term term="agentEditTotals">Agent edits</Term>
          </h3>
          {edits.total.edits === 0 ? (
            <p class="muted">{EMPTY.edits}</p>
          ) : (
            <>
              <dl class="kpis">
                <Kpi id="agent-edits" term="agentEdits" label="Edits" value={count(edits.total.edits)} />
                <Kpi
                  id="agent-lines-added"
                  term="agentEditTotals"
                  label="Lines added"
                  value={count(edits.total.linesAdded)}
                />
                <Kpi
                  id="agent-lines-deleted"
                  term="linesDeleted"
                  label="Lines deleted"
                  value={count(edits.total.linesDeleted)}
                />
                <Kpi
                  id="agent-edit-users"
                  term="distinctUsers"
                  label="Users"
                  value={count(edits.total.users)}
                />
              </dl>
              <DataTable
                id="agent-edits-by-model"
                caption="Agent edits by model"
                term="agentEditTotals"
                rows={edits.byModel}
                columns={editColumns}
                rowKey={(r) => r.model}
                empty={EMPTY.edits}
              />
            </>
          )}
        </section>
        <section class="card" aria-labelledby="cli-h" id="cli">
          <h3 id="cli-h">
            <Term term="cliSessions">Copilot CLI</Term>
          </h3>
          {cli.users === 0 ? (
            <p class="muted" data-empty="cli">
              {EMPTY.cli}
            </p>
          ) : (
            <>
              <dl class="kpis">
                <Kpi id="cli-sessions" term="cliSessions" label="Sessions" value={count(cli.sessions)} />
                <Kpi id="cli-prompts" term="cliPrompts" label="Prompts" value={count(cli.prompts)} />
                <Kpi id="cli-requests" term="cliRequests" label="Requests" value={count(cli.requests)} />
                <Kpi
                  id="cli-prompt-tokens"
                  term="cliTokens"
                  label="Prompt tokens"
                  value={count(cli.promptTokens)}
                />
                <Kpi
                  id="cli-output-tokens"
                  term="cliTokens"
                  label="Output tokens"
                  value={count(cli.outputTokens)}
                />
                <Kpi
                  id="cli-avg"
                  term="cliAvg"
                  label="Tokens per request"
                  value={decimal(cli.avgTokensPerRequest)}
                />
                <Kpi id="cli-users" term="distinctUsers" label="Users" value={count(cli.users)} />
              </dl>
              {cli.versions.length > 0 && (
                <p class="muted versions">
                  <Term term="cliVersion">Versions</Term>:{" "}
                  {cli.versions
                    .map((v) => `${v.version} (${count(v.users)} user${v.users === 1 ? "" : "s"})`)
                    .join(", ")}
                </p>
              )}
            </>
          )}
        </section>
        <DataTable
          id="third-party-agents"
          caption="Third-party agents"
          term="thirdParty"
          rows={agents}
          columns={agentColumns}
          rowKey={(r) => r.agentId}
          empty={EMPTY.agents}
        />
      </div>
      <h2 class="section-heading">
        <Term term="otlpTools">From OpenTelemetry</Term>
      </h2>
      {usage instanceof ApiFailure ? (
        <Problem f={usage} scope={props.view} />
      ) : (
        <div class="tables wide">
          <DataTable
            id="otlp-tools"
            caption="Agent activity per tool"
            term="otlpTools"
            rows={tools}
            columns={toolColumns}
            rowKey={(r) => r.tool}
            empty={EMPTY.usage}
          />
          <DataTable
            id="otlp-models"
            caption="Tokens and cost per model"
            term="otlpModels"
            rows={models}
            columns={modelColumns}
            rowKey={(r) => `${r.tool}/${r.model}`}
            empty={EMPTY.usage}
          />
        </div>
      )}
    </>
  );
}

/**
 * The usage-metrics part of the dashboard: loads the reports of the view (its own request, so a refusal of the
 * reports never hides the legacy metrics above) and shows the panels.
 */
export function ReportSection(props: { api: Api; view: View }) {
  const { api, view } = props;
  const [data, setData] = useState<ReportData | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    setData(null);
    setFailure(null);
    loadReports(api, view, abort.signal)
      .then((d) => {
        if (!abort.signal.aborted) setData(d);
      })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        setFailure(
          e instanceof ApiFailure
            ? e
            : new ApiFailure(
                0,
                `The reports could not be loaded (${String(e)}).`,
                "",
                null,
                null,
                null,
                null,
              ),
        );
      });
    return () => abort.abort();
  }, [api, view]);
  const state = failure ? "failed" : data ? "loaded" : "loading";
  return (
    <section class="reports" aria-labelledby="reports-h" data-reports={state} aria-busy={state === "loading"}>
      <h2 id="reports-h" class="section-heading">
        Usage-metrics reports{" "}
        <span class="muted">
          per user{isTeamKind(view.kind) ? ", the team's members" : ""}, {shortDay(view.since)} –{" "}
          {shortDay(view.until)}
        </span>
      </h2>
      {failure && <Problem f={failure} scope={view} />}
      {!failure && !data && <p class="card muted">Loading the reports…</p>}
      {data && <Panels data={data} view={view} />}
    </section>
  );
}
