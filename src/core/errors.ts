// What went wrong, in words: the message of a thrown value, whatever was thrown.

/** An Error's message, or the thrown value as text. */
export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
