/**
 * mosquitto's ACL file: `user NAME` starts a user's section, `topic [read|write|readwrite|deny]
 * TOPIC` grants that user (or, before any `user` line, anonymous clients) a topic or filter, and
 * `pattern [access] TOPIC` applies to every client with `%u` and `%c` replaced by its user name
 * and client id. The access defaults to readwrite; `#` starts a comment.
 *
 * As in mosquitto 2: a deny that matches wins over any grant; a subscription is allowed only when
 * a read grant covers the whole filter (so `#` needs a `#` grant); `$`-topics are not matched by a
 * leading wildcard and need their own grant; a user name or client id containing `+`, `#` or `/`
 * never matches a pattern that uses it.
 */

export type Access = 'read' | 'write' | 'readwrite' | 'deny';

interface Rule {
  access: Access;
  /** The topic filter split into levels; for patterns, still holding %u/%c. */
  levels: string[];
}

export interface Acl {
  anonymous: Rule[];
  users: Map<string, Rule[]>;
  patterns: Rule[];
}

export interface Who {
  username?: string;
  clientId: string;
}

const ACCESS = new Set<Access>(['read', 'write', 'readwrite', 'deny']);

export function parseAcl(text: string): { acl: Acl; problems: string[] } {
  const acl: Acl = { anonymous: [], users: new Map(), patterns: [] };
  const problems: string[] = [];
  let current = acl.anonymous;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `line ${index + 1}`;
    const [keyword] = line.split(/\s+/, 1);
    let rest = line.slice(keyword.length).trim();
    if (keyword === 'user') {
      if (rest === '') {
        problems.push(`${where}: "user" needs a name`);
        continue;
      }
      current = acl.users.get(rest) ?? [];
      acl.users.set(rest, current);
      continue;
    }
    if (keyword !== 'topic' && keyword !== 'pattern') {
      problems.push(`${where}: unknown keyword "${keyword}"`);
      continue;
    }
    let access: Access = 'readwrite';
    const [first] = rest.split(/\s+/, 1);
    if (ACCESS.has(first as Access) && rest.length > first.length) {
      access = first as Access;
      rest = rest.slice(first.length).trim();
    }
    const problem = filterProblem(rest);
    if (problem) {
      problems.push(`${where}: ${problem}`);
      continue;
    }
    (keyword === 'pattern' ? acl.patterns : current).push({ access, levels: rest.split('/') });
  }
  return { acl, problems };
}

export function filterProblem(filter: string): string | undefined {
  if (filter === '') return 'empty topic';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (level === '#' && i !== levels.length - 1) return `"${filter}": "#" must be the last level`;
    if (level !== '#' && level !== '+' && /[#+]/.test(level)) return `"${filter}": a wildcard must be a whole level`;
  }
  return undefined;
}

/** Whether `levels` (a filter) matches the concrete topic `topic`. */
function matches(levels: string[], topic: string[]): boolean {
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (i === 0 && (level === '#' || level === '+') && topic[0].startsWith('$')) return false;
    if (level === '#') return true;
    if (i >= topic.length) return false;
    if (level !== '+' && level !== topic[i]) return false;
  }
  return levels.length === topic.length;
}

/** Whether every topic that `filter` matches is also matched by `grant`. */
function covers(grant: string[], filter: string[]): boolean {
  for (let i = 0; ; i++) {
    const g = grant[i];
    const f = filter[i];
    if (i === 0 && (g === '#' || g === '+') && f?.startsWith('$')) return false;
    if (g === '#') return true;
    if (f === undefined || g === undefined) return f === undefined && g === undefined;
    if (f === '#') return false;
    if (f === '+' ? g !== '+' : g !== '+' && g !== f) return false;
  }
}

function substitute(levels: string[], who: Who): string[] | undefined {
  const unsafe = (value: string | undefined): boolean => value === undefined || /[+#/]/.test(value);
  const out: string[] = [];
  for (const level of levels) {
    if (level.includes('%u') && unsafe(who.username)) return undefined;
    if (level.includes('%c') && unsafe(who.clientId)) return undefined;
    out.push(level.replaceAll('%u', who.username ?? '').replaceAll('%c', who.clientId));
  }
  return out;
}

function rulesFor(acl: Acl, who: Who): Rule[] {
  const own = who.username === undefined ? acl.anonymous : (acl.users.get(who.username) ?? []);
  const patterns: Rule[] = [];
  for (const rule of acl.patterns) {
    const levels = substitute(rule.levels, who);
    if (levels) patterns.push({ access: rule.access, levels });
  }
  return [...own, ...patterns];
}

function grants(access: Access, wanted: 'read' | 'write'): boolean {
  return access === 'readwrite' || access === wanted;
}

function topicAllowed(acl: Acl, who: Who, topic: string, wanted: 'read' | 'write'): boolean {
  const levels = topic.split('/');
  const rules = rulesFor(acl, who);
  if (rules.some((r) => r.access === 'deny' && matches(r.levels, levels))) return false;
  return rules.some((r) => grants(r.access, wanted) && matches(r.levels, levels));
}

export function canPublish(acl: Acl, who: Who, topic: string): boolean {
  return topicAllowed(acl, who, topic, 'write');
}

/** Checked for each message delivered: a deny inside a granted subscription still holds. */
export function canReceive(acl: Acl, who: Who, topic: string): boolean {
  return topicAllowed(acl, who, topic, 'read');
}

export function canSubscribe(acl: Acl, who: Who, filter: string): boolean {
  const levels = filter.split('/');
  const rules = rulesFor(acl, who);
  // A filter that lies entirely inside a denied area is refused; one that only overlaps it is
  // allowed, and the denied messages are held back one by one (canReceive).
  if (rules.some((r) => r.access === 'deny' && covers(r.levels, levels))) return false;
  return rules.some((r) => grants(r.access, 'read') && covers(r.levels, levels));
}
