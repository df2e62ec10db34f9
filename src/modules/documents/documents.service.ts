/**
 * Contract documents: upload (checked by documents.rules.ts, stored by DocumentStorage, one row
 * with sha256), list, download. Scoped by the session's customer and the contract's label.
 * Service-request attachments are rows with `service_request_id` (and no contract), checked,
 * stored and hashed by the same code (`prepareAttachments`, `withStoredFiles`,
 * `recordAttachments`) and scoped by the request's customer and label.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { NotFound } from '../../http/errors.ts';
import type { Scope } from '../../http/types.ts';
import type { ActivitiesRepository } from '../activities/activities.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { checkUpload } from './documents.rules.ts';
import type { DocumentStorage } from './documents.storage.ts';

export interface Ctx {
  ip: string | null;
  requestId: string | null;
}

export interface DocumentRow {
  id: number;
  contractId: number | null;
  contractNumber: string | null;
  serviceRequestId: number | null;
  category: string;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  storageKey: string;
  note: string | null;
  source: string;
  uploadedByName: string | null;
  createdAt: Date;
}

/** A file that passed the rules, ready to store. */
export interface PreparedFile {
  name: string;
  mediaType: string;
  bytes: Buffer;
  sha256: string;
}
export type StoredFile = PreparedFile & { key: string };

export type UploadResult =
  { ok: true; id: number; fileName: string } | { ok: false; field: 'file'; message: string };

export function createDocumentsService(d: {
  db: Knex;
  storage: DocumentStorage;
  audit: AuditRepository;
  activities: ActivitiesRepository;
}) {
  const { db, storage } = d;
  // A document belongs to a contract or to a service request; either must be the session's
  // customer's under the session's label.
  const scoped = (s: Scope) =>
    db('documents as d')
      .leftJoin('contracts as c', 'c.id', 'd.contract_id')
      .leftJoin('service_requests as r', 'r.id', 'd.service_request_id')
      .leftJoin('users as u', 'u.id', 'd.uploaded_by')
      .where('d.customer_id', s.customerId)
      .andWhere((q) =>
        q
          .where({ 'c.customer_id': s.customerId, 'c.private_label_id': s.labelId })
          .orWhere((q2) =>
            q2
              .whereNull('d.contract_id')
              .where({ 'r.customer_id': s.customerId, 'r.private_label_id': s.labelId }),
          ),
      );
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  const columns = [
    'd.id',
    'd.contract_id as contractId',
    'c.number as contractNumber',
    'd.service_request_id as serviceRequestId',
    'd.category',
    'd.file_name as fileName',
    'd.media_type as mediaType',
    'd.size_bytes as sizeBytes',
    'd.sha256',
    'd.storage_key as storageKey',
    'd.note',
    'd.source',
    'u.name as uploadedByName',
    'd.created_at as createdAt',
  ];

  const contractOf = async (s: Scope, contractId: number) => {
    const c = (await db('contracts')
      .where({ id: contractId, customer_id: s.customerId, private_label_id: s.labelId })
      .first('id', 'number')) as { id: number; number: string } | undefined;
    if (!c) throw new NotFound();
    return c;
  };

  return {
    contractOf,

    async list(s: Scope, contractId: number): Promise<DocumentRow[]> {
      await contractOf(s, contractId);
      return scoped(s)
        .andWhere('d.contract_id', contractId)
        .orderBy('d.created_at', 'desc')
        .orderBy('d.id', 'desc')
        .select(columns) as Promise<DocumentRow[]>;
    },

    async get(s: Scope, id: number): Promise<DocumentRow> {
      const row = (await scoped(s).andWhere('d.id', id).first(columns)) as DocumentRow | undefined;
      if (!row) throw new NotFound();
      return row;
    },

    async content(row: DocumentRow): Promise<Buffer> {
      return storage.get(row.storageKey);
    },

    /** Checks, stores and records one file. Nothing is stored when it is refused. */
    async upload(
      s: Scope,
      contractId: number,
      input: { originalName: string; bytes: Buffer; category: string; note: string | undefined },
      ctx: Ctx,
    ): Promise<UploadResult> {
      const contract = await contractOf(s, contractId);
      const check = await checkUpload(input.originalName, input.bytes);
      if (!check.ok) return { ok: false, field: 'file', message: check.message };
      const sha256 = sha(input.bytes);
      const dup = (await db('documents')
        .where({ contract_id: contractId, sha256, customer_id: s.customerId })
        .first('file_name', 'created_at')) as { file_name: string; created_at: Date } | undefined;
      if (dup)
        return {
          ok: false,
          field: 'file',
          message: `This file is already on contract ${contract.number} as “${dup.file_name}”`,
        };
      const key = await storage.put(input.bytes);
      try {
        const id = await db.transaction(async (trx) => {
          const [row] = (await trx('documents')
            .insert({
              customer_id: s.customerId,
              contract_id: contractId,
              category: input.category,
              file_name: check.name,
              media_type: check.mediaType,
              size_bytes: input.bytes.length,
              sha256,
              storage_key: key,
              note: input.note ?? null,
              source: 'customer',
              uploaded_by: s.user.id,
            })
            .returning('id')) as { id: number }[];
          const docId = row!.id;
          await d.audit.record(
            {
              actorUserId: s.user.id,
              actingCustomerId: s.customerId,
              action: 'document.uploaded',
              entityType: 'document',
              entityId: docId,
              after: {
                contractId,
                fileName: check.name,
                mediaType: check.mediaType,
                size: input.bytes.length,
                sha256,
              },
              ip: ctx.ip,
              requestId: ctx.requestId,
            },
            trx,
          );
          await d.activities.add(
            {
              customerId: s.customerId,
              labelId: s.labelId,
              actorUserId: s.user.id,
              kind: 'document.uploaded',
              subject: `${check.name} uploaded to ${contract.number}`,
              link: `/contracts/${contractId}/documents`,
            },
            trx,
          );
          return docId;
        });
        return { ok: true, id, fileName: check.name };
      } catch (e) {
        await storage.delete(key);
        throw e;
      }
    },

    /**
     * Checks files for a service request with the documents' rules (type by content, size, safe
     * name) and hashes them; refuses a file chosen twice or already on the request. Nothing is
     * stored here.
     */
    async prepareAttachments(
      files: { originalName: string; bytes: Buffer }[],
      existingOn?: { serviceRequestId: number },
    ): Promise<{ ok: true; files: PreparedFile[] } | { ok: false; message: string }> {
      const prepared: PreparedFile[] = [];
      for (const f of files) {
        const check = await checkUpload(f.originalName, f.bytes);
        if (!check.ok)
          return {
            ok: false,
            message: files.length > 1 ? `${safeLabel(f.originalName)}: ${check.message}` : check.message,
          };
        const sha256 = sha(f.bytes);
        const twin = prepared.find((p) => p.sha256 === sha256);
        if (twin)
          return { ok: false, message: `${check.name} is the same file as ${twin.name}: choose it once` };
        prepared.push({ name: check.name, mediaType: check.mediaType, bytes: f.bytes, sha256 });
      }
      if (existingOn && prepared.length) {
        const dup = (await db('documents')
          .where({ service_request_id: existingOn.serviceRequestId })
          .whereIn(
            'sha256',
            prepared.map((p) => p.sha256),
          )
          .first('file_name')) as { file_name: string } | undefined;
        if (dup) return { ok: false, message: `This file is already on the request as “${dup.file_name}”` };
      }
      return { ok: true, files: prepared };
    },

    /** Stores the files, runs `fn` with them; when `fn` throws, the stored files are deleted again. */
    async withStoredFiles<T>(files: PreparedFile[], fn: (stored: StoredFile[]) => Promise<T>): Promise<T> {
      const stored: StoredFile[] = [];
      try {
        for (const f of files) stored.push({ ...f, key: await storage.put(f.bytes) });
        return await fn(stored);
      } catch (e) {
        await Promise.all(stored.map((f) => storage.delete(f.key)));
        throw e;
      }
    },

    /** One documents row (and audit row) per stored file, inside the caller's transaction. */
    async recordAttachments(
      s: Scope,
      trx: Knex.Transaction,
      serviceRequestId: number,
      files: StoredFile[],
      ctx: Ctx,
    ): Promise<void> {
      for (const f of files) {
        const [row] = (await trx('documents')
          .insert({
            customer_id: s.customerId,
            contract_id: null,
            service_request_id: serviceRequestId,
            category: 'correspondence',
            file_name: f.name,
            media_type: f.mediaType,
            size_bytes: f.bytes.length,
            sha256: f.sha256,
            storage_key: f.key,
            source: s.user.role === 'superuser' ? 'lessor' : 'customer',
            uploaded_by: s.user.id,
          })
          .returning('id')) as { id: number }[];
        await d.audit.record(
          {
            actorUserId: s.user.id,
            actingCustomerId: s.customerId,
            action: 'document.uploaded',
            entityType: 'document',
            entityId: row!.id,
            after: {
              serviceRequestId,
              fileName: f.name,
              mediaType: f.mediaType,
              size: f.bytes.length,
              sha256: f.sha256,
            },
            ip: ctx.ip,
            requestId: ctx.requestId,
          },
          trx,
        );
      }
    },

    /** A service request's attachments (the caller has checked the request is in scope). */
    async listForServiceRequest(s: Scope, serviceRequestId: number): Promise<DocumentRow[]> {
      return scoped(s)
        .andWhere('d.service_request_id', serviceRequestId)
        .orderBy('d.created_at')
        .orderBy('d.id')
        .select(columns) as Promise<DocumentRow[]>;
    },
  };
}
/** A file name fit for a message (printable, short). */
function safeLabel(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean.length > 60 ? `${clean.slice(0, 57)}…` : clean || 'A file';
}
export type DocumentsService = ReturnType<typeof createDocumentsService>;
