/**
 * The case's confidentiality rule, in plain words, and when a person must be shown it: on
 * first entering a mediation, and again whenever the mediator changes the rule.
 */
import type { ConfidentialityRule } from './board';

export const RULES: readonly ConfidentialityRule[] = ['confidential_unless_released', 'shareable_unless_marked'];

/** The one sentence that says the rule. */
export const RULE_SUMMARY: Record<ConfidentialityRule, string> = {
  confidential_unless_released: 'What you tell the mediator in your private room stays there unless you decide to share it.',
  shareable_unless_marked: 'The mediator may share what you say privately unless you mark it confidential.',
};

/** What it means in practice, for the dialog. */
export const RULE_DETAILS: Record<ConfidentialityRule, string[]> = {
  confidential_unless_released: [
    'The other side never sees your private room: not your messages, notes or figures.',
    'If the mediator thinks something would help, they ask you first. Only you decide whether it is shared, and in which words.',
  ],
  shareable_unless_marked: [
    'The other side never sees your private room directly.',
    'The mediator may pass on what you say there, in their own words, when it helps. Anything you mark “Keep confidential” is only shared if you agree.',
  ],
};

/** Short names for the mediator's setting. */
export const RULE_NAMES: Record<ConfidentialityRule, string> = {
  confidential_unless_released: 'Confidential unless the party shares it',
  shareable_unless_marked: 'The mediator may share unless marked confidential',
};

export function isRule(value: unknown): value is ConfidentialityRule {
  return typeof value === 'string' && (RULES as readonly string[]).includes(value);
}

/**
 * The rule this person must accept now, or null when they have accepted the current one.
 * `acknowledged` is what they last accepted ('' for never); `current` the case's rule
 * (null while not known, when nothing is asked).
 */
export function ruleToAcknowledge(acknowledged: string | null | undefined, current: ConfidentialityRule | null | undefined): ConfidentialityRule | null {
  if (!current || !isRule(current)) return null;
  return acknowledged === current ? null : current;
}

/**
 * What ticking "Keep confidential" does under the rule in force, in one sentence, for the
 * one who ticks it: a member of the side (whose words they are) or the mediator.
 */
export function confidentialChoice(rule: ConfidentialityRule | string, mediator: boolean): string {
  if (rule === 'shareable_unless_marked') {
    return mediator
      ? 'Marked, you may not pass it on without the party’s agreement; unmarked, you may share it in your own words.'
      : 'Ticked, the mediator will not pass it on without your agreement; unticked, they may pass it on in their own words.';
  }
  return mediator
    ? 'Under this case’s rule nothing here leaves the room unless the party agrees, marked or not; the mark says it matters most.'
    : 'Under this case’s rule nothing here is shared unless you agree, ticked or not; ticking marks it as what matters most to you.';
}
