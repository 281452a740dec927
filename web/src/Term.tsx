import type { ComponentChildren } from "preact";
import { DEF, type Term as TermKey } from "./definitions.js";

/**
 * A label with its definition: `title` for the mouse, and focusable so that keyboard users get the same text
 * (the shared tooltip in FocusTip shows it on focus; screen readers read the title as its description).
 */
export function Term(props: { term: TermKey; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: focus is how keyboard users reach the definition
    <span class="term" tabIndex={0} title={DEF[props.term]} data-term={props.term}>
      {props.children}
    </span>
  );
}
