/**
 * Re-issuing a cert-manager Certificate. cert-manager's own trigger (what `cmctl renew` does) is
 * the `Issuing` condition set to True with reason `ManuallyTriggered` on the Certificate's status:
 * its issuing controller then requests a new certificate and writes the same Secret, which the
 * pods reload without a restart.
 */

/** The Certificate's conditions with `Issuing=True/ManuallyTriggered` set. */
export function withIssuingCondition(
  conditions: readonly Record<string, unknown>[],
  message: string,
  now: Date,
  generation: number | undefined,
): Record<string, unknown>[] {
  const issuing = {
    type: 'Issuing',
    status: 'True',
    reason: 'ManuallyTriggered',
    message,
    lastTransitionTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
  return [...conditions.filter((c) => c['type'] !== 'Issuing'), issuing];
}

/** True when a rotation was asked that the operator has not acted on yet. */
export function needsReissue(requested: string, handled: string): boolean {
  return requested !== handled;
}
