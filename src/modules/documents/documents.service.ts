/**
 * Contract documents: upload (checked by documents.rules.ts, stored by DocumentStorage, one row
 * with sha256), list, download. Scoped by the session's customer and the contract's label.
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
  contractId: number;
  contractNumber: string;
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

export type UploadResult =
  { ok: true; id: number; fileName: string } | { ok: false; field: 'file'; message: string };

export function createDocumentsService(d: {
  db: Knex;
  storage: DocumentStorage;
  audit: AuditRepository;
  activities: ActivitiesRepository;
}) {
  const { db, storage } = d;
  const scoped = (s: Scope) =>
    db('documents as d')
      .join('contracts as c', 'c.id', 'd.contract_id')
      .leftJoin('users as u', 'u.id', 'd.uploaded_by')
      .where({
        'd.customer_id': s.customerId,
        'c.customer_id': s.customerId,
        'c.private_label_id': s.labelId,
      });
  const columns = [
    'd.id',
    'd.contract_id as contractId',
    'c.number as contractNumber',
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
      const sha256 = createHash('sha256').update(input.bytes).digest('hex');
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
  };
}
export type DocumentsService = ReturnType<typeof createDocumentsService>;
