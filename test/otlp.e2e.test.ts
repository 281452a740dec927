import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnswerCache } from "../src/http/answer-cache.js";
import { buildApp } from "../src/http/app.js";
import { utcDay } from "../src/util/time.js";
import { backends } from "./helpers/db.js";
import { type Harness, startHarness } from "./helpers/harness.js";
import { loggerFor, meterFor, RecordingProxy, type ToolSetup, tracerFor } from "./helpers/otel.js";

/*
 * The real OpenTelemetry JS SDK and its OTLP exporters, configured as each tool configures them, export to
 * pilotlog through a recording proxy (so a request can be replayed byte for byte as an exporter's retry, and
 * the answers the exporters swallow can be read). Every expectation below is worked out by hand from
 * spec/otlp-ingest.md and the tools' tables.
 *
 * The SDK stamps points with the real time, so the server's clock starts at the real now; the day is then
 * closed by moving the clock one day on, and processed.
 */
const DIRECTORY = `
organizations:
  - login: acme
    owners: [owner]
    members: [mona, lisa, tom, ann, bob]
    seats: [mona, lisa, tom, ann, bob]
users:
  - login: tom
    emails: [Tom@Example.com]
tokens:
  - { token: tok_owner, user: owner, kind: classic, scopes: [read:org] }
  - { token: tok_mona_x, user: mona, kind: classic, scopes: [] }
  - { token: tok_ann_x, user: ann, kind: classic, scopes: [] }
  - { token: tok_relay, kind: ingest }
`;

interface ChatModel {
  name: string;
  total_engaged_users: number;
  total_chats: number;
  total_chat_insertion_events: number;
  total_chat_copy_events: number;
}

for (const backend of backends) {
  describe(`OpenTelemetry in, with the real exporters, on ${backend.name}`, () => {
    let h: Harness;
    let proxy: RecordingProxy;
    let restarted: FastifyInstance | null = null;
    let day: string;
    const answers: { name: string; status: number; body: string }[] = [];

    const setup = (
      token: string,
      resource: Record<string, string>,
      protocol: ToolSetup["protocol"],
      temporality: ToolSetup["temporality"],
    ): ToolSetup => ({
      endpoint: proxy.url,
      token,
      resource,
      protocol,
      temporality,
    });

    /** Stops the running pilotlog and starts another on the same database (the proxy follows it). */
    const restartPilotlog = async () => {
      await (restarted ?? h.app).close();
      restarted = buildApp({
        db: h.db,
        clock: h.clock,
        windowDays: h.windowDays,
        answers: new AnswerCache(),
      });
      proxy.target = await restarted.listen({ port: 0, host: "127.0.0.1" });
    };

    beforeAll(async () => {
      const start = new Date();
      day = utcDay(start);
      h = await startHarness(backend, start.toISOString());
      await h.apply(DIRECTORY);
      proxy = new RecordingProxy(h.url);
      await proxy.start();

      // 1. Copilot Chat in VS Code, mona's own token, http/protobuf, cumulative (the SDK's default).
      const chat = setup(
        "tok_mona_x",
        { "service.name": "copilot-chat", "service.version": "0.40.0", "session.id": "w1" },
        "http/protobuf",
        "cumulative",
      );
      const spans = tracerFor(chat);
      for (let i = 0; i < 3; i++) {
        const turn = spans.tracer.startSpan("invoke_agent", {
          attributes: { "gen_ai.agent.name": "copilot", "gen_ai.request.model": "gpt-4o" },
        });
        turn.end();
      }
      // A subagent's invoke_agent is the child of the calling agent's execute_tool span: not a prompt of mona's.
      const root = spans.tracer.startSpan("execute_tool", {
        attributes: { "gen_ai.tool.name": "runSubagent" },
      });
      const { trace, context } = await import("@opentelemetry/api");
      spans.tracer
        .startSpan(
          "invoke_agent",
          { attributes: { "gen_ai.request.model": "gpt-4o" } },
          trace.setSpan(context.active(), root),
        )
        .end();
      root.end();
      await spans.flush();

      const m1 = meterFor(chat);
      const actions = m1.meter.createCounter("copilot_chat.user.action.count");
      actions.add(2, { action: "insert", participant: "copilot" });
      actions.add(1, { action: "copy", participant: "copilot" });
      m1.meter.createHistogram("copilot_chat.tool.call.duration").record(12); // in no table: ignored
      await m1.flush(); // insert 2, copy 1: the first points count whole (their start precedes their time)
      actions.add(1, { action: "insert", participant: "copilot" });
      await m1.flush(); // insert 3 → +1, copy 1 → +0
      const retry = proxy.recorded.at(-1)!;
      const again = await proxy.replay(retry); // adds nothing
      answers.push({ name: "retry", status: again.status, body: again.body.toString("hex") });

      // pilotlog restarts between exports: the series state is in the database.
      await restartPilotlog();
      actions.add(4, { action: "insert", participant: "copilot" });
      await m1.flush(); // insert 7 → +4, copy → +0
      await m1.shutdown(); // exports the same totals once more at a later time: +0

      // The exporter restarts (a new VS Code window): a new start time, so its first values count whole.
      const m2 = meterFor(chat);
      const actions2 = m2.meter.createCounter("copilot_chat.user.action.count");
      actions2.add(2, { action: "insert", participant: "copilot" });
      actions2.add(2, { action: "copy", participant: "copilot" });
      await m2.flush();
      await m2.shutdown();
      await spans.shutdown();
      // mona: 3 chats (gpt-4o); 2 + 1 + 4 + 2 = 9 insertions and 1 + 2 = 3 copies (model "default": the metric has none).

      // 2. Copilot Chat in JetBrains through the relay, http/json: lisa named by OTEL_RESOURCE_ATTRIBUTES.
      const jb = setup(
        "tok_relay",
        { "service.name": "copilot-chat", "ide.name": "JetBrains", "enduser.id": "lisa" },
        "http/json",
        "cumulative",
      );
      const jbSpans = tracerFor(jb);
      for (let i = 0; i < 2; i++)
        jbSpans.tracer
          .startSpan("invoke_agent", { attributes: { "gen_ai.request.model": "claude-sonnet-4" } })
          .end();
      await jbSpans.shutdown();
      const jbMeter = meterFor(jb);
      jbMeter.meter.createCounter("copilot_chat.user.action.count").add(1, { action: "apply" });
      await jbMeter.shutdown();
      // lisa: JetBrains, 2 chats (claude-sonnet-4), 1 insertion (default).

      // 3. Claude Code, relay, delta (its default), http/protobuf; tom known by the e-mail Claude Code sends.
      const cc = setup(
        "tok_relay",
        { "service.name": "claude-code", "service.version": "2.0.14" },
        "http/protobuf",
        "delta",
      );
      const ccMeter = meterFor(cc);
      const tokens = ccMeter.meter.createCounter("claude_code.token.usage");
      const cost = ccMeter.meter.createCounter("claude_code.cost.usage");
      const who = { "user.email": "tom@example.com", "session.id": "s1", "terminal.type": "vscode" };
      tokens.add(1000, { ...who, type: "input", model: "claude-sonnet-4-5" });
      tokens.add(200, { ...who, type: "output", model: "claude-sonnet-4-5" });
      tokens.add(5000, { ...who, type: "cacheRead", model: "claude-sonnet-4-5" });
      cost.add(0.5, { ...who, model: "claude-sonnet-4-5" });
      ccMeter.meter.createCounter("claude_code.session.count").add(1, who);
      const ccLines = ccMeter.meter.createCounter("claude_code.lines_of_code.count");
      ccLines.add(30, { ...who, type: "added", model: "claude-sonnet-4-5" });
      ccLines.add(5, { ...who, type: "removed", model: "claude-sonnet-4-5" });
      const decisions = ccMeter.meter.createCounter("claude_code.code_edit_tool.decision");
      decisions.add(2, { ...who, decision: "accept", tool_name: "Edit", language: "TypeScript" });
      decisions.add(1, { ...who, decision: "reject", tool_name: "Edit", language: "TypeScript" });
      await ccMeter.flush();
      tokens.add(500, { ...who, type: "input", model: "claude-sonnet-4-5" });
      cost.add(0.25, { ...who, model: "claude-sonnet-4-5" });
      ccLines.add(10, { ...who, type: "added", model: "claude-sonnet-4-5" });
      await ccMeter.flush();
      const ccRetry = proxy.recorded.at(-1)!;
      await proxy.replay(ccRetry); // a delta retry adds nothing
      await ccMeter.shutdown();
      const ccLogs = loggerFor(cc);
      for (let i = 0; i < 2; i++)
        ccLogs.logger.emit({
          eventName: "claude_code.user_prompt",
          body: "claude_code.user_prompt",
          // Claude Code numbers its events (event.sequence): two prompts in one millisecond are two records, not a retry.
          attributes: { ...who, prompt_length: 12, "event.sequence": i },
        });
      await ccLogs.flush();
      await proxy.replay(proxy.recorded.at(-1)!); // the same records again: a retry
      await ccLogs.shutdown();
      // tom (claude-code, claude-sonnet-4-5): input 1,500, output 200, cache 5,000, cost 0.75 USD; 2 prompts, 1 session;
      // 2 accepted edits (TypeScript, model default: the decision carries none), 30 + 10 = 40 lines added and 5
      // removed (claude-sonnet-4-5) in the terminal of VS Code (terminal.type), which are lines, not more edits.

      // 4. Gemini CLI, ann's own token, http/json, cumulative; its tokens also reach gen_ai.client.token.usage,
      // which its table does not count again.
      const gem = setup(
        "tok_ann_x",
        { "service.name": "gemini-cli", "service.version": "0.9.0" },
        "http/json",
        "cumulative",
      );
      const gm = meterFor(gem);
      const gt = gm.meter.createCounter("gemini_cli.token.usage");
      const gg = gm.meter.createHistogram("gen_ai.client.token.usage");
      gt.add(300, { model: "gemini-2.5-pro", type: "input" });
      gt.add(50, { model: "gemini-2.5-pro", type: "output" });
      gg.record(300, { "gen_ai.token.type": "input", "gen_ai.request.model": "gemini-2.5-pro" });
      gm.meter.createCounter("gemini_cli.session.count").add(1);
      const gl = gm.meter.createCounter("gemini_cli.lines.changed");
      gl.add(7, { model: "gemini-2.5-pro", type: "added" });
      const calls = gm.meter.createCounter("gemini_cli.tool.call.count");
      calls.add(1, { function_name: "replace", decision: "accept", success: true });
      calls.add(1, { function_name: "replace", decision: "reject", success: false });
      await gm.flush();
      gt.add(100, { model: "gemini-2.5-pro", type: "input" });
      gl.add(3, { model: "gemini-2.5-pro", type: "added" });
      await gm.flush(); // cumulative: the session and the calls again at the same totals add nothing
      await gm.shutdown();
      const gLogs = loggerFor(gem);
      gLogs.logger.emit({
        body: "User prompt.",
        attributes: {
          "event.name": "gemini_cli.user_prompt",
          "event.timestamp": new Date().toISOString(),
          prompt_length: 9,
        },
      });
      await gLogs.shutdown();
      // ann (gemini-cli, gemini-2.5-pro): input 400, output 50; 1 session, 1 prompt; 1 accepted tool call (an edit,
      // model default) and 7 + 3 = 10 lines added (gemini-2.5-pro), in the terminal (no ide.name).

      // 5. Codex, relay, delta, http/protobuf; bob named by github.login; `total` is not counted again.
      const cx = setup(
        "tok_relay",
        { "service.name": "codex_exec", "github.login": "bob" },
        "http/protobuf",
        "delta",
      );
      const cm = meterFor(cx);
      const ct = cm.meter.createHistogram("codex.turn.token_usage");
      ct.record(100, { token_type: "input", model: "gpt-5-codex" });
      ct.record(10, { token_type: "output", model: "gpt-5-codex" });
      ct.record(110, { token_type: "total", model: "gpt-5-codex" });
      await cm.shutdown();
      const cLogs = loggerFor(cx);
      const codexEvent = (name: string, attributes: Record<string, string> = {}) =>
        cLogs.logger.emit({
          body: name,
          attributes: { "event.name": name, "conversation.id": "x1", ...attributes },
        });
      codexEvent("codex.conversation_starts", { model: "gpt-5-codex" });
      codexEvent("codex.user_prompt", { prompt_length: "20" });
      codexEvent("codex.user_prompt", { prompt_length: "31" });
      codexEvent("codex.tool_decision", { tool_name: "apply_patch", decision: "approved", source: "user" });
      codexEvent("codex.tool_decision", { tool_name: "shell", decision: "denied", source: "user" });
      await cLogs.shutdown();
      // bob (codex, gpt-5-codex): input 100, output 10; 1 session (conversation start), 2 prompts, 1 approved tool
      // decision (an edit, model default) in the terminal.

      // 6. Copilot CLI, mona's token, http/protobuf, cumulative: a session is its session.id (a resource attribute),
      // counted once per user and day however many exports, retries and pilotlog restarts carry its requests.
      const cliSetup = (sessionId: string) =>
        setup(
          "tok_mona_x",
          { "service.name": "github-copilot", "service.version": "0.0.340", "session.id": sessionId },
          "http/protobuf",
          "cumulative",
        );
      const { trace: cliTrace, context: cliContext } = await import("@opentelemetry/api");
      /** One prompt: an invoke_agent root span with a chat span per model request. */
      const prompt = (t: ReturnType<typeof tracerFor>, requests: number, shutdown?: [number, number]) => {
        const turn = t.tracer.startSpan("invoke_agent", {
          attributes: { "gen_ai.request.model": "gpt-4.1" },
        });
        for (let i = 0; i < requests; i++)
          t.tracer
            .startSpan(
              "chat",
              { attributes: { "gen_ai.request.model": "gpt-4.1" } },
              cliTrace.setSpan(cliContext.active(), turn),
            )
            .end();
        if (shutdown)
          turn.addEvent("github.copilot.session.shutdown", {
            lines_added: shutdown[0],
            lines_removed: shutdown[1],
          });
        turn.end();
      };
      const c1 = cliSetup("c1");
      const c1Spans = tracerFor(c1);
      const c1Meter = meterFor(c1);
      const cliTokens = c1Meter.meter.createHistogram("gen_ai.client.token.usage");
      const tok = (type: string, n: number, m = cliTokens) =>
        m.record(n, { "gen_ai.token.type": type, "gen_ai.request.model": "gpt-4.1" });
      prompt(c1Spans, 1);
      prompt(c1Spans, 1);
      await c1Spans.flush(); // 2 prompts, 2 requests
      tok("input", 40);
      tok("output", 8);
      await c1Meter.flush(); // first cumulative points count whole: 40 in, 8 out
      await restartPilotlog();
      prompt(c1Spans, 2, [10, 2]);
      await c1Spans.flush(); // 1 prompt, 2 requests, the session's lines
      await proxy.replay(proxy.recorded.at(-1)!); // a retry adds nothing
      tok("input", 60);
      tok("output", 12);
      await c1Meter.flush(); // 100 → +60 in, 20 → +12 out
      await proxy.replay(proxy.recorded.at(-1)!);
      await c1Meter.shutdown(); // the same totals once more: +0
      await c1Spans.shutdown();
      // A second session: a new process, so a new session.id and an exporter with a new start time.
      const c2 = cliSetup("c2");
      const c2Spans = tracerFor(c2);
      const c2Meter = meterFor(c2);
      const c2Tokens = c2Meter.meter.createHistogram("gen_ai.client.token.usage");
      prompt(c2Spans, 1);
      await c2Spans.shutdown();
      tok("input", 10, c2Tokens);
      tok("output", 5, c2Tokens);
      await c2Meter.shutdown();
      // mona's CLI: 2 sessions, 2 + 1 + 1 = 4 prompts, 2 + 2 + 1 = 5 requests, 40 + 60 + 10 = 110 prompt and
      // 8 + 12 + 5 = 25 output tokens (avg (110 + 25) / 5 = 27); usage (copilot-cli, gpt-4.1): input 110,
      // output 25, lines added 10, deleted 2.

      // 7. A developer without identity: Copilot Chat through the relay with no enduser.id: refused, not guessed.
      const anon = setup("tok_relay", { "service.name": "copilot-chat" }, "http/json", "cumulative");
      const anonSpans = tracerFor(anon);
      anonSpans.tracer.startSpan("invoke_agent", { attributes: { "gen_ai.request.model": "gpt-4o" } }).end();
      await anonSpans.shutdown();
      const last = proxy.recorded.at(-1)!;
      answers.push({ name: "anonymous", status: last.status, body: last.response.toString("utf8") });

      h.clock.set(new Date(start.getTime() + 86_400_000));
      await h.process(day);
    }, 120_000);

    afterAll(async () => {
      await proxy?.close();
      await restarted?.close();
      await h?.close();
    });

    it("every export was answered 200, the retries too", () => {
      const statuses = new Set(proxy.recorded.map((r) => r.status));
      expect([...statuses]).toEqual([200]);
      expect(answers.find((a) => a.name === "retry")!.status).toBe(200);
    });

    it("refuses the item of a developer without identity, saying how to fix it", () => {
      const a = answers.find((x) => x.name === "anonymous")!;
      expect(a.status).toBe(200);
      const body = JSON.parse(a.body) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
      expect(body.partialSuccess.rejectedSpans).toBe("1");
      expect(body.partialSuccess.errorMessage).toMatch(
        /^1 of 1 spans refused\. span 0: no user: .*enduser\.id/,
      );
    });

    it("the legacy day document holds the chats, insertions and copies the mapping says", async () => {
      const res = await fetch(`${proxy.target}/orgs/acme/copilot/metrics?since=${day}&until=${day}`, {
        headers: { authorization: "Bearer tok_owner" },
      });
      expect(res.status).toBe(200);
      const [doc] = (await res.json()) as {
        date: string;
        copilot_ide_chat: {
          total_engaged_users: number;
          editors: { name: string; total_engaged_users: number; models: ChatModel[] }[];
        };
      }[];
      expect(doc!.date).toBe(day);
      const chat = doc!.copilot_ide_chat;
      const pick = (m: ChatModel) => [
        m.name,
        m.total_engaged_users,
        m.total_chats,
        m.total_chat_insertion_events,
        m.total_chat_copy_events,
      ];
      const editors = Object.fromEntries(chat.editors.map((e) => [e.name, e.models.map(pick).sort()]));
      expect(editors).toEqual({
        vscode: [
          ["default", 0, 0, 9, 3],
          ["gpt-4o", 1, 3, 0, 0],
        ],
        JetBrains: [
          ["claude-sonnet-4", 1, 2, 0, 0],
          ["default", 0, 0, 1, 0],
        ],
      });
      expect(chat.total_engaged_users).toBe(2);
    });

    it("every user with a mapped signal is active, and engaged by a chat, a prompt or an edit", async () => {
      const res = await fetch(`${proxy.target}/orgs/acme/copilot/metrics?since=${day}&until=${day}`, {
        headers: { authorization: "Bearer tok_owner" },
      });
      const [doc] = (await res.json()) as { total_active_users: number; total_engaged_users: number }[];
      // mona, lisa (IDE chat; mona's CLI prompts too), tom, ann, bob (agent prompts and accepted edits).
      expect(doc!.total_active_users).toBe(5);
      expect(doc!.total_engaged_users).toBe(5);
    });

    it("the users-1-day records hold what each tool's table says", async () => {
      const res = await fetch(`${proxy.target}/orgs/acme/copilot/metrics/reports/users-1-day?day=${day}`, {
        headers: { authorization: "Bearer tok_owner" },
      });
      expect(res.status).toBe(200);
      const { download_links: links } = (await res.json()) as { download_links: string[] };
      let text = "";
      for (const l of links) text += await (await fetch(l)).text();
      const records = text
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => {
          const {
            user_id: _i,
            organization_id: _o,
            enterprise_id: _e,
            day: d,
            ...rest
          } = JSON.parse(l, (k, v) => (k === "sampled_at" ? "T" : v)) as Record<string, unknown>;
          expect(d).toBe(day);
          return rest;
        });
      const C = (uic: number, gen: number, acc: number, sug: number, added: number, del: number) => ({
        user_initiated_interaction_count: uic,
        ...S(gen, acc, sug, added, del),
      });
      const S = (gen: number, acc: number, sug: number, added: number, del: number) => ({
        code_generation_activity_count: gen,
        code_acceptance_activity_count: acc,
        loc_suggested_to_add_sum: sug,
        loc_suggested_to_delete_sum: 0,
        loc_added_sum: added,
        loc_deleted_sum: del,
      });
      const none = { totals_by_language_feature: [], totals_by_language_model: [] };
      expect(records).toEqual([
        {
          user_login: "ann",
          ...C(0, 1, 0, 0, 10, 0),
          used_chat: false,
          used_agent: true,
          used_cli: false,
          totals_by_ide: [{ ide: "terminal", ...C(0, 1, 0, 0, 10, 0) }],
          totals_by_feature: [{ feature: "agent_edit", ...C(0, 1, 0, 0, 10, 0) }],
          ...none,
          totals_by_model_feature: [
            { model: "default", feature: "agent_edit", ...C(0, 1, 0, 0, 0, 0) },
            { model: "gemini-2.5-pro", feature: "agent_edit", ...C(0, 0, 0, 0, 10, 0) },
          ],
          totals_by_3rd_party_agent: [
            {
              agent_id: "gemini-cli",
              agent_name: "Gemini CLI",
              user_initiated_interaction_count: 1,
              session_count: 1,
            },
          ],
        },
        {
          user_login: "bob",
          ...C(0, 1, 0, 0, 0, 0),
          used_chat: false,
          used_agent: true,
          used_cli: false,
          totals_by_ide: [{ ide: "terminal", ...C(0, 1, 0, 0, 0, 0) }],
          totals_by_feature: [{ feature: "agent_edit", ...C(0, 1, 0, 0, 0, 0) }],
          ...none,
          totals_by_model_feature: [{ model: "default", feature: "agent_edit", ...C(0, 1, 0, 0, 0, 0) }],
          totals_by_3rd_party_agent: [
            {
              agent_id: "codex_exec",
              agent_name: "Codex",
              user_initiated_interaction_count: 2,
              session_count: 1,
            },
          ],
        },
        {
          user_login: "lisa",
          ...C(2, 0, 1, 0, 0, 0),
          used_chat: true,
          used_agent: false,
          used_cli: false,
          totals_by_ide: [{ ide: "JetBrains", ...C(2, 0, 1, 0, 0, 0) }],
          totals_by_feature: [{ feature: "chat_panel_unknown_mode", ...C(2, 0, 1, 0, 0, 0) }],
          ...none,
          totals_by_model_feature: [
            { model: "claude-sonnet-4", feature: "chat_panel_unknown_mode", ...C(2, 0, 0, 0, 0, 0) },
            { model: "default", feature: "chat_panel_unknown_mode", ...C(0, 0, 1, 0, 0, 0) },
          ],
          totals_by_3rd_party_agent: [],
        },
        {
          user_login: "mona",
          ...C(7, 0, 12, 0, 0, 0),
          used_chat: true,
          used_agent: false,
          used_cli: true,
          totals_by_ide: [
            {
              ide: "vscode",
              ...C(3, 0, 12, 0, 0, 0),
              last_known_plugin_version: {
                plugin: "copilot-chat",
                plugin_version: "0.40.0",
                sampled_at: "T",
              },
            },
          ],
          totals_by_feature: [
            { feature: "chat_panel_unknown_mode", ...C(3, 0, 12, 0, 0, 0) },
            { feature: "copilot_cli", ...C(4, 0, 0, 0, 0, 0) },
          ],
          ...none,
          totals_by_model_feature: [
            { model: "default", feature: "chat_panel_unknown_mode", ...C(0, 0, 12, 0, 0, 0) },
            { model: "gpt-4o", feature: "chat_panel_unknown_mode", ...C(3, 0, 0, 0, 0, 0) },
          ],
          totals_by_cli: {
            session_count: 2,
            request_count: 5,
            prompt_count: 4,
            token_usage: { output_tokens_sum: 25, prompt_tokens_sum: 110, avg_tokens_per_request: 27 },
            last_known_cli_version: { cli_version: "0.0.340", sampled_at: "T" },
          },
          totals_by_3rd_party_agent: [],
        },
        {
          user_login: "tom",
          ...C(0, 2, 0, 0, 40, 5),
          used_chat: false,
          used_agent: true,
          used_cli: false,
          totals_by_ide: [{ ide: "vscode", ...C(0, 2, 0, 0, 40, 5) }],
          totals_by_feature: [{ feature: "agent_edit", ...C(0, 2, 0, 0, 40, 5) }],
          totals_by_language_feature: [
            { language: "TypeScript", feature: "agent_edit", ...S(2, 0, 0, 0, 0) },
          ],
          totals_by_language_model: [{ language: "TypeScript", model: "default", ...S(2, 0, 0, 0, 0) }],
          totals_by_model_feature: [
            { model: "claude-sonnet-4-5", feature: "agent_edit", ...C(0, 0, 0, 0, 40, 5) },
            { model: "default", feature: "agent_edit", ...C(0, 2, 0, 0, 0, 0) },
          ],
          totals_by_3rd_party_agent: [
            {
              agent_id: "claude-code",
              agent_name: "Claude Code",
              user_initiated_interaction_count: 2,
              session_count: 1,
            },
          ],
        },
      ]);
    });

    it("tokens, cost and lines per user, day, tool and model, on the usage route", async () => {
      const res = await fetch(`${proxy.target}/telemetry/v1/usage?since=${day}&until=${day}`, {
        headers: { authorization: "Bearer tok_owner" },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { usage: Record<string, unknown>[] };
      const rows = body.usage.map((r) => [
        r.user,
        r.tool,
        r.model,
        r.input_tokens,
        r.output_tokens,
        r.cache_tokens,
        r.other_tokens,
        r.cost_usd,
        r.lines_added,
        r.lines_deleted,
      ]);
      expect(rows).toEqual([
        ["ann", "gemini-cli", "gemini-2.5-pro", 400, 50, 0, 0, 0, 0, 0],
        ["bob", "codex", "gpt-5-codex", 100, 10, 0, 0, 0, 0, 0],
        ["mona", "copilot-cli", "gpt-4.1", 110, 25, 0, 0, 0, 10, 2],
        ["tom", "claude-code", "claude-sonnet-4-5", 1500, 200, 5000, 0, 0.75, 0, 0],
      ]);
    });

    it("a developer's own token reads only their own usage; an ingest token none", async () => {
      const own = await fetch(`${proxy.target}/telemetry/v1/usage?since=${day}&until=${day}`, {
        headers: { authorization: "Bearer tok_ann_x" },
      });
      expect(((await own.json()) as { usage: { user: string }[] }).usage.map((r) => r.user)).toEqual(["ann"]);
      const relay = await fetch(`${proxy.target}/telemetry/v1/usage`, {
        headers: { authorization: "Bearer tok_relay" },
      });
      expect(relay.status).toBe(403);
    });
  });
}
