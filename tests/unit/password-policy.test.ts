import { describe, expect, it } from 'vitest';
import { passwordProblem, type PasswordContext } from '../../src/modules/password/password.policy.ts';

/** Who the password is for, as the reset, invitation and account pages pass it. */
const nina: PasswordContext = {
  email: 'nina.new@acme.example',
  names: ['Nina New', 'Acme Construction Inc.', 'Northwind Equipment Finance', 'northwind'],
};

describe('password policy', () => {
  it.each(['aaaaaaaaaaaa', 'qwertyuiopas', 'abcabcabcabc', 'Northwind2026'])(
    'refuses the weak password %s with why and how to choose better',
    (weak) => {
      const problem = passwordProblem(weak, nina);
      expect(problem).toBeDefined();
      expect(problem).toMatch(/easy to guess|too common/);
      // How to choose better, after NIST 800-63B: length and unrelated words, no composition rules.
      expect(problem).toMatch(/three or four unrelated words/);
    },
  );

  it('says why: repeats, keyboard rows and names of the person, the customer or the portal', () => {
    expect(passwordProblem('aaaaaaaaaaaa', nina)).toMatch(/repeats/);
    expect(passwordProblem('abcabcabcabc', nina)).toMatch(/repeats/);
    expect(passwordProblem('qwertyuiopas', nina)).toMatch(/keyboard|common/);
    expect(passwordProblem('Northwind2026', nina)).toMatch(/your name, your email address/);
    expect(passwordProblem('AcmeConstruction2026', nina)).toMatch(/your name, your email address/);
    expect(passwordProblem('nina.new@acme.example2026', nina)).toBeDefined();
    expect(passwordProblem('NinaNew-2026-NinaNew', nina)).toBeDefined();
    // zxcvbn alone scores these 3 or 4: the names are taken out and the rest scored.
    const haulage = { email: 'q@test.example', names: ['Zephyrine Haulage Ltd'] };
    expect(passwordProblem('Zephyrine-Haulage!', haulage)).toMatch(/your company’s name/);
    expect(passwordProblem('ZephyrineHaulage2026', haulage)).toMatch(/your company’s name/);
    expect(passwordProblem('Zephyrine orbit maple quiet', haulage)).toBeUndefined();
  });

  it('refuses the weak ones with no context too (the shape check of every new-password form)', () => {
    for (const weak of ['aaaaaaaaaaaa', 'qwertyuiopas', 'abcabcabcabc', 'x'.repeat(1024)])
      expect(passwordProblem(weak), weak).toBeDefined();
  });

  it('accepts strong passphrases, long ones and unicode, and the demo password', () => {
    for (const strong of [
      'tulip anchor velvet 42',
      'correct horse battery staple',
      'a brand new passphrase',
      'ünïcödé pässwörd ✓',
      'Demo-Portal-2026!',
      'Factory-Password-2026',
      'correct horse battery staple '.repeat(3).slice(0, 64),
      `${'maple orbit quiet lantern '.repeat(40)}`.slice(0, 1024),
    ])
      expect(passwordProblem(strong, nina), strong).toBeUndefined();
  });

  it('keeps the length limits, the common-password list and the e-mail check', () => {
    expect(passwordProblem('')).toBe('Enter a new password');
    expect(passwordProblem('short')).toMatch(/12 characters/);
    expect(passwordProblem('x'.repeat(1025))).toMatch(/1,024/);
    expect(passwordProblem('Password1234')).toMatch(/too common/);
    expect(passwordProblem('nina.new@acme.example', nina)).toBeDefined();
    // The old signature (the e-mail address alone) still works.
    expect(passwordProblem('someone@test.example', 'someone@test.example')).toMatch(/email/);
  });

  it('scores a 1,024-character password quickly (only the first 128 characters are scored)', () => {
    const started = performance.now();
    passwordProblem('maple orbit quiet lantern '.repeat(40).slice(0, 1024), nina);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
