/** What each permission lets a user do, in the words of the Admin page's checkboxes. */
import type { Permission } from '../http/types.ts';

export const PERMISSION_TEXT: Readonly<Record<Permission, string>> = {
  'invoices.view': 'View invoices and payments',
  'payments.make': 'Make payments',
  'autopay.manage': 'Manage Autopay',
  'contracts.view': 'View contracts and documents',
  'documents.upload': 'Upload documents',
  'payoff.request': 'Request payoff quotes',
  'service_requests.manage': 'Raise and follow service requests',
  'assets.view': 'View assets',
  'assets.request_location_change': 'Request asset location changes',
  'reports.run': 'Run reports',
  'reports.schedule': 'Schedule reports',
};

export function permissionText(p: string): string {
  return (PERMISSION_TEXT as Record<string, string>)[p] ?? p;
}
