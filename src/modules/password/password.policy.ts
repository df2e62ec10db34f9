/**
 * The password policy (ASVS 2.1.1–2.1.9, NIST 800-63B): at least 12 characters, at most 1,024,
 * not one of the ~49,000 most common passwords (zxcvbn-ts's maintained list), not the e-mail
 * address. No composition rules; paste and password managers are welcome.
 */
import { dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1024;

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return common;
}

/** The message to show, or undefined when the password is acceptable. */
export function passwordProblem(password: string, email?: string): string | undefined {
  const length = [...password].length;
  if (length === 0) return 'Enter a new password';
  if (length < PASSWORD_MIN) return `Password must be ${PASSWORD_MIN} characters or more`;
  if (length > PASSWORD_MAX) return 'Password must be 1,024 characters or fewer';
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower) || commonPasswords().has(lower.trim()))
    return 'This password is too common. Choose one that is harder to guess, for example three or four unrelated words';
  if (email && lower.trim() === email.toLowerCase()) return 'Password must not be your email address';
  return undefined;
}
