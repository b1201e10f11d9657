// The terminal under each editor: a read-only xterm that shows a run's output as it streams in.
import { Terminal, type ILinkHandler } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import "@xterm/xterm/css/xterm.css";
import { mountOutputTranscript } from "./output-transcript.ts";

const RED = "\x1b[31m";
const DIM = "\x1b[2m";
const RESET = "\x1b[0m";

export interface RunTerminal {
  stdout(text: string): void;
  stderr(text: string): void;
  /** A line from Tributary itself (not the program), shown dimmed. */
  note(text: string): void;
  /** Empties the terminal for a new run; a line says its output is on the way until the first arrives. */
  clear(): void;
}

/**
 * The line an empty terminal shows, so it is never a silent black box: the host's own (what Run will do)
 * until the first output, then, after each clear, that a run's output is on the way. Plain text in the
 * output's region, so screen readers read it too; hidden the moment output arrives.
 */
function terminalPlaceholder(host: HTMLElement): { show(text?: string): void; hide(): void } {
  const line = host.querySelector<HTMLElement>("[data-terminal-placeholder]") ?? document.createElement("p");
  line.className = "terminal-placeholder";
  line.dataset.terminalPlaceholder = "";
  const first = line.textContent || "Output appears here when you press Run.";
  return {
    show: (text = first) => {
      line.textContent = text;
      line.hidden = false;
      // Mounting the terminal empties the host: the line goes back in once, after the terminal's own rows.
      if (!line.isConnected) host.append(line);
    },
    hide: () => {
      line.hidden = true;
    },
  };
}

/** Arrow keys, Page Up/Down, Home and End scroll the output when its region has the keyboard focus. */
function scrollWithKeys(host: HTMLElement, terminal: Terminal): void {
  const keys: Record<string, () => void> = {
    ArrowUp: () => terminal.scrollLines(-1),
    ArrowDown: () => terminal.scrollLines(1),
    PageUp: () => terminal.scrollPages(-1),
    PageDown: () => terminal.scrollPages(1),
    Home: () => terminal.scrollToTop(),
    End: () => terminal.scrollToBottom(),
  };
  host.addEventListener("keydown", (event) => {
    const scroll = keys[event.key];
    if (!scroll || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    scroll();
  });
}

/**
 * What a link in a program's output (OSC 8) may do: output is the learner's program, or code they
 * pasted, so a link is never followed silently. Only http(s) links open, after the learner confirms
 * the address, in a new tab that cannot reach back into this page.
 */
const programLinks: ILinkHandler = {
  activate: (_event, text) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return;
    if (window.confirm(`Your program's output links to\n${url.href}\nOpen it in a new tab?`)) window.open(url.href, "_blank", "noopener,noreferrer");
  },
};

/** Opens a terminal in `host`, in place of what it showed but its placeholder line; it keeps fitting the host's width. */
export function mountRunTerminal(host: HTMLElement): RunTerminal {
  const placeholder = terminalPlaceholder(host);
  host.replaceChildren();
  const terminal = new Terminal({
    convertEol: true,
    disableStdin: true,
    cursorBlink: false,
    // The output takes no typing: a cursor would only sit in the corner (over the placeholder line, at first).
    cursorInactiveStyle: "none",
    rows: 12,
    fontSize: 13,
    scrollback: 5000,
    screenReaderMode: false,
    theme: { background: "#0d1117", foreground: "#e6edf3" },
    linkHandler: programLinks,
  });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  terminal.open(host);
  // The output takes no typing: its region, not xterm's hidden input, is what Tab reaches.
  if (terminal.textarea) {
    terminal.textarea.tabIndex = -1;
    terminal.textarea.setAttribute("aria-hidden", "true");
  }
  scrollWithKeys(host, terminal);
  placeholder.show();
  const transcript = mountOutputTranscript(host, host.getAttribute("aria-label") ?? "Program output");
  const refit = () => {
    if (host.clientWidth > 0) fit.fit();
  };
  refit();
  new ResizeObserver(refit).observe(host);
  return {
    stdout: (text) => {
      placeholder.hide();
      terminal.write(text);
      transcript.write(text);
    },
    stderr: (text) => {
      placeholder.hide();
      terminal.write(RED + text + RESET);
      transcript.write(text);
    },
    note: (text) => {
      placeholder.hide();
      terminal.write(`${DIM}${text}${RESET}\r\n`);
      transcript.note(text);
    },
    clear: () => {
      terminal.reset();
      transcript.clear();
      placeholder.show("Your program is starting; its output appears here.");
    },
  };
}
