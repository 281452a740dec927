/**
 * The native events (spec/telemetry-events.md v1.1) that OTLP items become, in the wire shape of the native
 * route: field names exactly as the contract writes them. The v1.1 types are declared here because
 * src/ingest/event.ts holds only v1 so far; once it has them these mirror its input shape and can be unified.
 */

export type ChatMode = "ask" | "edit" | "agent" | "plan" | "custom" | "inline";

interface Wire {
  id: string;
  /** RFC 3339. */
  timestamp: string;
  user: string;
}

interface IdeVersions {
  editor_version?: string;
  plugin?: string;
  plugin_version?: string;
}

export type NativeEvent = Wire &
  (
    | ({
        type: "chat.prompted";
        surface: "ide";
        editor: string;
        model?: string;
        mode?: ChatMode;
        language?: string;
      } & IdeVersions)
    | ({
        type: "chat.inserted" | "chat.copied";
        editor: string;
        model?: string;
        mode?: ChatMode;
        language?: string;
        lines?: number;
      } & IdeVersions)
    | ({
        type: "chat.code_generated";
        editor: string;
        model?: string;
        mode?: ChatMode;
        language?: string;
        lines?: number;
      } & IdeVersions)
    | ({
        type: "agent.edit";
        editor: string;
        model?: string;
        language?: string;
        lines_added?: number;
        lines_deleted?: number;
      } & IdeVersions)
    | {
        type: "cli.session";
        prompts?: number;
        requests?: number;
        prompt_tokens?: number;
        output_tokens?: number;
        model?: string;
        cli_version?: string;
      }
    | { type: "agent.session"; agent_id: string; agent_name: string; prompts?: number }
    | { type: "activity"; engaged?: boolean; feature?: string }
  );

export type NativeEventType = NativeEvent["type"];
