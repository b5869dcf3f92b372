// Text from files and configs on its way to a terminal or a text report: control characters (an escape
// sequence can clear the screen or retitle the window; a carriage return can overwrite a line) are shown
// as escapes instead of being sent raw.
/* eslint-disable no-control-regex -- finding control characters is what this module is for */

/** C0 controls except tab and newline, DEL, and C1 controls. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** The same and tab and newline: nothing may break a one-line field. */
const LINE_CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

const escape = (c: string): string => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** A multi-line text with every control character but tab and newline escaped (\x1b). */
export function printableText(s: string): string {
  return s.replace(CONTROLS, escape);
}

/** A one-line value (a name, a label) with every control character escaped, newlines and tabs too. */
export function printableLine(s: string): string {
  return s.replace(LINE_CONTROLS, escape);
}

/** The first control character of a one-line value, as "\x1b at character 3", or null. */
export function firstControl(s: string): string | null {
  const m = /[\u0000-\u001f\u007f-\u009f]/.exec(s);
  return m ? `${escape(m[0])} at character ${m.index + 1}` : null;
}
