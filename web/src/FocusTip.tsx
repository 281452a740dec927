import { useEffect, useState } from "preact/hooks";

interface Tip {
  text: string;
  top: number;
  left: number;
}

/** One tooltip for every focused `.term`: mouse users have the title, keyboard users this. */
export function FocusTip() {
  const [tip, setTip] = useState<Tip | null>(null);
  useEffect(() => {
    const show = (e: FocusEvent) => {
      const el = e.target instanceof HTMLElement ? e.target.closest<HTMLElement>(".term") : null;
      if (!el?.matches(":focus-visible")) return setTip(null);
      const r = el.getBoundingClientRect();
      const width = Math.min(320, window.innerWidth - 16);
      setTip({
        text: el.title,
        top: r.bottom + 6,
        left: Math.max(8, Math.min(r.left, window.innerWidth - width - 8)),
      });
    };
    const hide = () => setTip(null);
    document.addEventListener("focusin", show);
    document.addEventListener("focusout", hide);
    window.addEventListener("scroll", hide, { passive: true });
    return () => {
      document.removeEventListener("focusin", show);
      document.removeEventListener("focusout", hide);
      window.removeEventListener("scroll", hide);
    };
  }, []);
  if (!tip) return null;
  return (
    <div class="focus-tip" role="tooltip" style={{ top: `${tip.top}px`, left: `${tip.left}px` }}>
      {tip.text}
    </div>
  );
}
