/**
 * The password policy (ASVS 2.1.1–2.1.9, NIST 800-63B): at least 12 characters, at most 1,024,
 * not one of the ~49,000 most common passwords, not the e-mail address, and not easy to guess:
 * zxcvbn-ts must score it 3 or more out of 4, with the user's name and e-mail address, the
 * customer's name and the label's name as words an attacker would try first. No composition
 * rules; paste and password managers are welcome.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1024;
/** zxcvbn's 0–4 scale: 3 is "safely unguessable" (about 10^8 guesses or more). */
export const PASSWORD_MIN_SCORE = 3;
/** Only this many leading characters are scored (zxcvbn's time grows fast with length). */
const SCORED_LENGTH = 128;

/** Who the password is for: a password built on any of these is easy to guess. */
export interface PasswordContext {
  email?: string | null | undefined;
  /** The user's name, the customer's name, the label's name and code. */
  names?: readonly (string | null | undefined)[];
}

const HOW =
  'Choose a longer password that is hard to guess, for example three or four unrelated words (12 characters or more). You do not need symbols, numbers or capitals.';

/** Why zxcvbn found a password weak, by its warning key. */
const WHY: Record<string, string> = {
  straightRow: 'it follows keys next to each other on the keyboard',
  keyPattern: 'it follows a pattern of keys on the keyboard',
  simpleRepeat: 'it repeats the same characters',
  extendedRepeat: 'it repeats the same group of characters',
  sequences: 'it is a sequence such as abc or 1234',
  recentYears: 'it is built on a recent year',
  dates: 'it is built on a date',
  topTen: 'it is one of the most used passwords',
  topHundred: 'it is one of the most used passwords',
  common: 'it is a commonly used password',
  similarToCommon: 'it is close to a commonly used password',
  wordByItself: 'it is a single word',
  namesByThemselves: 'it is built on a name',
  commonNames: 'it is built on a common name',
  userInputs: 'it is built on your name, your email address, your company’s name or this portal’s name',
  pwned: 'it has appeared in a data breach',
};

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return common;
}

let factory: ZxcvbnFactory | undefined;
function scorer(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs, maxLength: SCORED_LENGTH });
  return factory;
}

/** The words of the context as zxcvbn user inputs: whole, without spaces, and word by word. */
export function userInputs(context: PasswordContext): string[] {
  const out = new Set<string>();
  const add = (text: string | null | undefined): void => {
    const lower = text?.trim().toLowerCase();
    if (!lower) return;
    out.add(lower);
    const words = lower.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3);
    if (words.length > 1) out.add(words.join(''));
    for (const w of words) out.add(w);
  };
  add(context.email);
  const [local, domain] = (context.email ?? '').split('@');
  add(local);
  add(domain);
  for (const name of context.names ?? []) add(name);
  return [...out];
}

/**
 * The message to show, or undefined when the password is acceptable. `context` is who the
 * password is for (an e-mail address alone is accepted too, as before).
 */
export function passwordProblem(
  password: string,
  context: PasswordContext | string = {},
): string | undefined {
  const ctx: PasswordContext = typeof context === 'string' ? { email: context } : context;
  const length = [...password].length;
  if (length === 0) return 'Enter a new password';
  if (length < PASSWORD_MIN) return `Password must be ${PASSWORD_MIN} characters or more`;
  if (length > PASSWORD_MAX) return 'Password must be 1,024 characters or fewer';
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower) || commonPasswords().has(lower.trim()))
    return `This password is too common. ${HOW}`;
  if (ctx.email && lower.trim() === ctx.email.trim().toLowerCase())
    return 'Password must not be your email address';
  const result = scorer().check(password, userInputs(ctx));
  if (result.score < PASSWORD_MIN_SCORE) {
    const why = WHY[result.feedback.warning ?? ''] ?? 'it would be quick to guess';
    return `This password is easy to guess: ${why}. ${HOW}`;
  }
  // zxcvbn counts any three pieces as 10^8 guesses, so "AcmeConstruction2026" scores 3, and it
  // may read "-Haulage!" as random characters: what is left once the names an attacker tries
  // first are taken out must be hard to guess on its own.
  const inputs = userInputs(ctx).sort((a, b) => b.length - a.length);
  let rest = lower;
  for (const word of inputs) rest = rest.replaceAll(word, ' ');
  if (rest !== lower && scorer().check(rest.trim()).score < PASSWORD_MIN_SCORE)
    return `This password is easy to guess: ${WHY.userInputs!}. ${HOW}`;
  return undefined;
}
