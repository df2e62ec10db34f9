/**
 * What may be uploaded (docs/domain.md "Documents", docs/quality.md 9): PDF, PNG, JPEG, DOCX, XLSX, CSV,
 * 1 byte to 10 MB, type decided by the content (file-type's magic-byte sniffing) and matching the
 * name's extension; a safe name: no path, no control characters, no double extension.
 */
import { fileTypeFromBuffer } from 'file-type';

export const MAX_BYTES = 10 * 1024 * 1024;

export const DOCUMENT_CATEGORIES = [
  'certificate_of_insurance',
  'tax_exemption_certificate',
  'signed_agreement',
  'correspondence',
  'other',
] as const;
export const CATEGORY_LABELS: Record<string, string> = {
  certificate_of_insurance: 'Certificate of insurance',
  tax_exemption_certificate: 'Sales-tax exemption certificate',
  signed_agreement: 'Signed agreement',
  correspondence: 'Correspondence',
  invoice_copy: 'Invoice copy',
  other: 'Other',
};

const TYPES: Record<string, { mime: string; exts: string[] }> = {
  pdf: { mime: 'application/pdf', exts: ['pdf'] },
  png: { mime: 'image/png', exts: ['png'] },
  jpg: { mime: 'image/jpeg', exts: ['jpg', 'jpeg'] },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', exts: ['docx'] },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', exts: ['xlsx'] },
  csv: { mime: 'text/csv', exts: ['csv'] },
};
const RISKY =
  /\.(exe|com|bat|cmd|scr|msi|dll|js|mjs|vbs|ps1|sh|php|phtml|jsp|asp|aspx|html?|svg|jar|app|lnk)\./i;

export const ALLOWED_TEXT = 'PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) or CSV';

/** A refusal message for an unsafe file name, or undefined when it is fine. */
export function nameProblem(name: string): string | undefined {
  if (!name.trim()) return 'The file has no name';
  if (name.length > 200) return 'The file name must be 200 characters or fewer';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'The file name contains control characters';
  if (name.includes('/') || name.includes('\\') || name.includes('..'))
    return 'The file name must not contain a folder path (/, \\ or ..)';
  if (RISKY.test(name)) return 'The file name has a double extension, for example .exe.pdf';
  if (!/\.[A-Za-z0-9]+$/.test(name)) return `The file name must end in an extension: ${ALLOWED_TEXT}`;
  return undefined;
}

/** CSV has no magic bytes: accept UTF-8 text without NUL bytes. */
function looksLikeText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export type UploadCheck = { ok: true; mediaType: string; name: string } | { ok: false; message: string };

export async function checkUpload(originalName: string, bytes: Buffer): Promise<UploadCheck> {
  const name = originalName.normalize('NFC').trim();
  const problem = nameProblem(name);
  if (problem) return { ok: false, message: problem };
  if (bytes.length === 0) return { ok: false, message: 'The file is empty' };
  if (bytes.length > MAX_BYTES) return { ok: false, message: 'The file must be 10 MB or smaller' };
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  const sniffed = await fileTypeFromBuffer(bytes);
  const kind = sniffed ? sniffed.ext : looksLikeText(bytes) ? 'csv' : undefined;
  const type = kind ? TYPES[kind] : undefined;
  if (!type)
    return { ok: false, message: `The file must be a ${ALLOWED_TEXT}: its content is not one of these` };
  if (!type.exts.includes(ext))
    return {
      ok: false,
      message: `The file's content is ${kind!.toUpperCase()} but its name ends in .${ext}: rename it or choose another file`,
    };
  return { ok: true, mediaType: type.mime, name };
}
