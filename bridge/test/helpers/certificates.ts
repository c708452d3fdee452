/** Test certificates made with the real openssl: a CA, and a server certificate for 127.0.0.1 signed by it. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  ca: string;
  cert: string;
  key: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A self-signed CA named `prefix`ca.crt in `dir`. */
export function makeCa(dir: string, prefix = ''): { ca: string; caKey: string } {
  openssl(dir, ['req', '-x509', ...EC, '-keyout', `${prefix}ca.key`, '-out', `${prefix}ca.crt`, '-days', '1', '-subj', `/CN=Megabit test CA ${prefix}`]);
  return { ca: join(dir, `${prefix}ca.crt`), caKey: join(dir, `${prefix}ca.key`) };
}

/** A certificate for `name` (CN, and a subjectAltName IP or DNS entry) signed by the CA in `dir`. */
export function signedCertificate(dir: string, name: string, ca: { ca: string; caKey: string }, san = `IP:${name}`): { cert: string; key: string } {
  const base = name.replace(/[^a-z0-9]/gi, '_');
  openssl(dir, ['req', ...EC, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${name}`]);
  writeFileSync(join(dir, `${base}.ext`), `subjectAltName=${san}\n`);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${base}.csr`,
    '-CA',
    ca.ca,
    '-CAkey',
    ca.caKey,
    '-CAcreateserial',
    '-out',
    `${base}.crt`,
    '-days',
    '1',
    '-extfile',
    `${base}.ext`,
  ]);
  return { cert: join(dir, `${base}.crt`), key: join(dir, `${base}.key`) };
}

/** A CA and a server certificate for 127.0.0.1 in `dir`. */
export function makeCertificates(dir: string): TestCertificates {
  const ca = makeCa(dir);
  return { ca: ca.ca, ...signedCertificate(dir, '127.0.0.1', ca) };
}
