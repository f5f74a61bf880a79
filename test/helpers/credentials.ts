/**
 * Test credentials made on the spot: a CA and certificates with openssl, nkey users, and an operator,
 * accounts and a user creds file for decentralized (JWT) auth. Nothing is checked in.
 */
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encodeAccount, encodeOperator, encodeUser, fmtCreds } from "@nats-io/jwt";
import { nkeys } from "@nats-io/nats-core";

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export interface Pki {
  caFile: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A server certificate whose validity ended the second it was made. */
  expiredCert: string;
  /** A CA that signed nothing here: trusting it trusts no one. */
  otherCaFile: string;
}

/** A CA, a server certificate for 127.0.0.1/localhost, a client certificate, an expired one, another CA. */
export async function makePki(dir: string): Promise<Pki> {
  const ca = (subject: string, name: string) =>
    openssl(dir, [
      "req",
      "-x509",
      ...EC,
      "-days",
      "2",
      "-subj",
      subject,
      "-keyout",
      `${name}-key.pem`,
      "-out",
      `${name}.pem`,
    ]);
  ca("/CN=benchline test CA", "ca");
  ca("/CN=other CA", "other");
  await writeFile(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await writeFile(join(dir, "client.ext"), "extendedKeyUsage=clientAuth\n");
  const sign = (name: string, subject: string, ext: string, days: string) => {
    openssl(dir, ["req", ...EC, "-subj", subject, "-keyout", `${name}-key.pem`, "-out", `${name}.csr`]);
    openssl(dir, [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca-key.pem",
      "-CAcreateserial",
      "-days",
      days,
      "-extfile",
      ext,
      "-out",
      `${name}.pem`,
    ]);
  };
  sign("server", "/CN=localhost", "server.ext", "2");
  sign("client", "/CN=benchline client", "client.ext", "2");
  sign("expired", "/CN=localhost", "server.ext", "0");
  const at = (f: string) => join(dir, f);
  return {
    caFile: at("ca.pem"),
    serverCert: at("server.pem"),
    serverKey: at("server-key.pem"),
    clientCert: at("client.pem"),
    clientKey: at("client-key.pem"),
    expiredCert: at("expired.pem"),
    otherCaFile: at("other.pem"),
  };
}

/** An nkey user: its seed in a file, its public key for the server. */
export async function makeNkeyUser(
  dir: string,
): Promise<{ seedFile: string; seed: string; publicKey: string }> {
  const kp = nkeys.createUser();
  const seed = new TextDecoder().decode(kp.getSeed());
  const seedFile = join(dir, "user.nk");
  await writeFile(seedFile, `${seed}\n`, { mode: 0o600 });
  return { seedFile, seed, publicKey: kp.getPublicKey() };
}

/** An operator, a system account, an account with JetStream, and a user of it in a creds file. */
export async function makeOperator(dir: string): Promise<{
  credsFile: string;
  userJwt: string;
  userSeed: string;
  operatorJwt: string;
  systemAccount: string;
  accountJwts: Record<string, string>;
}> {
  const operator = nkeys.createOperator();
  const system = nkeys.createAccount();
  const account = nkeys.createAccount();
  const user = nkeys.createUser();
  const operatorJwt = await encodeOperator("benchline-test", operator, {
    system_account: system.getPublicKey(),
  });
  const systemJwt = await encodeAccount("SYS", system, {}, { signer: operator });
  const accountJwt = await encodeAccount(
    "BENCH",
    account,
    {
      // The whole limits object replaces the defaults: leave out a field and it is 0 (no connections).
      limits: {
        subs: -1,
        data: -1,
        payload: -1,
        imports: -1,
        exports: -1,
        wildcards: true,
        conn: -1,
        leaf: -1,
        mem_storage: -1,
        disk_storage: -1,
        streams: -1,
        consumer: -1,
      },
    },
    { signer: operator },
  );
  const userJwt = await encodeUser("bench", user, account);
  const credsFile = join(dir, "user.creds");
  await writeFile(credsFile, fmtCreds(userJwt, user), { mode: 0o600 });
  return {
    credsFile,
    userJwt,
    userSeed: new TextDecoder().decode(user.getSeed()),
    operatorJwt,
    systemAccount: system.getPublicKey(),
    accountJwts: { [system.getPublicKey()]: systemJwt, [account.getPublicKey()]: accountJwt },
  };
}
