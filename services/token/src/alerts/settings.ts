import { AlertSettings, errors, validationDetails, type AlertSettingsBody, type AlertSettingsView } from '@dispatch/contracts';
import type { AlertSettingsRepository } from '../store/alert-repository.js';

/** Defaults of every business until its owners change them (environment `ALERT_*`). */
export const defaultAlertSettings: AlertSettings = {
  enabled: true,
  invalidUseMinAttempts: 1,
  rateSpikeFactor: 10,
  rateSpikeMinCalls: 100,
  baselineMinutes: 60,
  ipSpreadFactor: 3,
  ipSpreadMinDistinct: 10,
  ipWindowMinutes: 10,
  unauthorizedBurstMin: 50,
  incidentWindowMinutes: 60,
};

export interface AlertSettingsDeps {
  settings: AlertSettingsRepository;
  defaults: AlertSettings;
  now(): Date;
}

/** The effective thresholds: the stored overrides on top of the defaults. */
export async function effectiveAlertSettings(deps: AlertSettingsDeps, businessId: string): Promise<AlertSettingsView> {
  const stored = await deps.settings.get(businessId);
  if (!stored) return { settings: deps.defaults, customized: false, updatedAt: null };
  // Overrides stored under older rules that no longer validate fall back to the defaults.
  const merged = AlertSettings.safeParse({ ...deps.defaults, ...stored.overrides });
  return { settings: merged.success ? merged.data : deps.defaults, customized: true, updatedAt: stored.updatedAt.toISOString() };
}

/** token.putAlertSettings: merges the given fields into the business's overrides (validated as a whole). */
export async function putAlertSettings(
  deps: AlertSettingsDeps,
  request: { businessId: string; updatedBy: string; settings: AlertSettingsBody },
): Promise<AlertSettingsView> {
  const current = await deps.settings.get(request.businessId);
  const overrides: AlertSettingsBody = { ...(current?.overrides ?? {}), ...request.settings };
  const check = AlertSettings.safeParse({ ...deps.defaults, ...overrides });
  if (!check.success) throw errors.validation('Request body is invalid', validationDetails(check.error.issues));
  await deps.settings.put(request.businessId, { overrides, updatedAt: deps.now(), updatedBy: request.updatedBy });
  return effectiveAlertSettings(deps, request.businessId);
}
