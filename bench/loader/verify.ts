/**
 * `--verify`: checks the loaded data with SQL. Every foreign key (the load skipped their
 * triggers), the money rules of docs/domain.md, the customer/label scoping, and the fleet customer's
 * shape the bench relies on. Each check counts offending rows; all must be zero.
 */
import pg from 'pg';

interface ForeignKey {
  child: string;
  column: string;
  parent: string;
  parentColumn: string;
}

const RULES: [string, string][] = [
  [
    "schedule line's customer and label = its contract's",
    `select count(*) from schedule_lines l join contracts c on c.id = l.contract_id
      where l.customer_id <> c.customer_id or l.private_label_id <> c.private_label_id`,
  ],
  [
    'invoice total = sum of its lines',
    `select count(*) from invoices i
       left join (select invoice_id, sum(amount_minor) s from invoice_lines group by 1) l on l.invoice_id = i.id
      where coalesce(l.s, 0) <> i.total_minor`,
  ],
  [
    'invoice balance = total - settled allocations',
    `select count(*) from invoices i
       left join (select a.invoice_id, sum(a.amount_minor) s from payment_allocations a
                    join payments p on p.id = a.payment_id where p.status = 'settled' group by 1) a on a.invoice_id = i.id
      where i.balance_minor <> i.total_minor - coalesce(a.s, 0)`,
  ],
  [
    'invoice status follows its balance',
    `select count(*) from invoices
      where not ((status = 'paid' and balance_minor = 0 and paid_at is not null)
              or (status = 'open' and balance_minor = total_minor)
              or (status = 'partially_paid' and balance_minor > 0 and balance_minor < total_minor))`,
  ],
  [
    'payment amount = sum of its allocations',
    `select count(*) from payments p
       left join (select payment_id, sum(amount_minor) s from payment_allocations group by 1) a on a.payment_id = p.id
      where coalesce(a.s, 0) <> p.amount_minor`,
  ],
  [
    'allocation within its payment customer, label and currency',
    `select count(*) from payment_allocations a join payments p on p.id = a.payment_id join invoices i on i.id = a.invoice_id
      where i.customer_id <> p.customer_id or i.private_label_id <> p.private_label_id or i.currency <> p.currency`,
  ],
  [
    'invoice line contract within the invoice customer and label',
    `select count(*) from invoice_lines l join invoices i on i.id = l.invoice_id join contracts c on c.id = l.contract_id
      where c.customer_id <> i.customer_id or c.private_label_id <> i.private_label_id`,
  ],
  [
    'asset within its contract customer and label',
    `select count(*) from assets a join contracts c on c.id = a.contract_id
      where c.customer_id <> a.customer_id or c.private_label_id <> a.private_label_id or c.currency <> a.currency`,
  ],
  [
    'schedule has one line per period of the term',
    `select count(*) from contracts c
       left join (select contract_id, count(*) n from schedule_lines group by 1) s on s.contract_id = c.id
      where coalesce(s.n, 0) * (case c.frequency when 'monthly' then 1 when 'quarterly' then 3
                                 when 'semiannual' then 6 else 12 end) <> c.term_months`,
  ],
  [
    'billed schedule line points at the invoice of its rent line',
    `select count(*) from invoice_lines l join schedule_lines s on s.id = l.schedule_line_id
      where s.invoice_id is distinct from l.invoice_id`,
  ],
  [
    'request, quote or payment within a label the customer has contracts under',
    `select count(*) from (
        select customer_id, private_label_id from service_requests
        union all select customer_id, private_label_id from payoff_quotes
        union all select customer_id, private_label_id from location_change_requests
        union all select customer_id, private_label_id from payments) r
      where not exists (select 1 from contracts c
                         where c.customer_id = r.customer_id and c.private_label_id = r.private_label_id)`,
  ],
];

const FLEET_FACTS = `
  with f as (select customer_id id from users where email = $1)
  select
    (select count(*) from contracts where customer_id = (select id from f)) as contracts,
    (select count(*) from invoices where customer_id = (select id from f)) as invoices,
    (select count(*) from assets where customer_id = (select id from f)) as assets,
    (select count(*) from payments where customer_id = (select id from f)) as payments,
    (select count(*) from invoices where customer_id = (select id from f)
        and status in ('open', 'partially_paid') and due_date < $2) as overdue,
    (select count(*) from invoices where customer_id = (select id from f)
        and status in ('open', 'partially_paid') and due_date >= $2) as open_not_due,
    (select count(*) from (select 1 from schedule_lines s join contracts c on c.id = s.contract_id
        where c.customer_id = (select id from f) group by s.contract_id having count(*) >= 60) x) as long_schedules,
    (select cardinality(permissions) from users where email = $1) as login_permissions`;

/** Runs every check; returns how many failed. */
export async function verify(url: string, o: { asOf: string; fleetLogin: string }): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let failed = 0;
  const check = async (name: string, sql: string): Promise<void> => {
    const { rows } = await client.query<{ count: string }>(sql);
    const bad = Number(rows[0]!.count);
    if (bad > 0) failed++;
    console.log(`  ${bad === 0 ? 'ok  ' : 'FAIL'} ${name}${bad === 0 ? '' : `: ${bad} rows`}`);
  };
  try {
    console.log('Verifying:');
    for (const fk of await foreignKeys(client))
      await check(
        `${fk.child}.${fk.column} -> ${fk.parent}`,
        `select count(*) from "${fk.child}" c where c."${fk.column}" is not null
           and not exists (select 1 from "${fk.parent}" p where p."${fk.parentColumn}" = c."${fk.column}")`,
      );
    for (const [name, sql] of RULES) await check(name, sql);
    const { rows } = await client.query<Record<string, string>>(FLEET_FACTS, [o.fleetLogin, o.asOf]);
    console.log(
      `  fleet (${o.fleetLogin}):`,
      Object.entries(rows[0]!)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    );
  } finally {
    await client.end();
  }
  return failed;
}

async function foreignKeys(client: pg.Client): Promise<ForeignKey[]> {
  const { rows } = await client.query<ForeignKey>(
    `select cl.relname as child, ca.attname as column, pl.relname as parent, pa.attname as "parentColumn"
       from pg_constraint k
       join pg_class cl on cl.oid = k.conrelid join pg_class pl on pl.oid = k.confrelid
       join pg_attribute ca on ca.attrelid = k.conrelid and ca.attnum = k.conkey[1]
       join pg_attribute pa on pa.attrelid = k.confrelid and pa.attnum = k.confkey[1]
      where k.contype = 'f' and cardinality(k.conkey) = 1
      order by 1, 2`,
  );
  return rows;
}
