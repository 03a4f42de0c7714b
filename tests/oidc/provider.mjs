// A real OpenID provider for tests/e2e/oidc.rs: oidc-provider with one
// client (Tertulia) and the people in a JSON file, re-read on every
// sign-in so a test can change a person's claims between sign-ins.
//
//   node provider.mjs PORT REDIRECT_URI PEOPLE_FILE
//
// PEOPLE_FILE maps a login to its claims, e.g.
//   {"ana": {"preferred_username": "ana.garcia", "name": "Ana", "email": "ana@acme.example",
//            "department": "Finance", "title": "Controller", "office": "Madrid", "groups": ["staff"]}}
// Sign-in uses oidc-provider's development pages (any password); listens
// on 127.0.0.1 only, with issuer http://127.0.0.1:PORT.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const [port, redirectUri, peopleFile] = process.argv.slice(2);
if (!port || !redirectUri || !peopleFile) {
  console.error('usage: node provider.mjs PORT REDIRECT_URI PEOPLE_FILE');
  process.exit(2);
}

const profileClaims = ['name', 'preferred_username', 'department', 'title', 'office', 'groups'];

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'tertulia',
    client_secret: 'tertulia-test-secret',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: profileClaims },
  // Every granted claim in the ID token too, not only in the user info.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  async findAccount(ctx, login) {
    const people = JSON.parse(readFileSync(peopleFile, 'utf8'));
    const person = people[login];
    if (!person) return undefined;
    return { accountId: login, claims: async () => ({ sub: `subject-of-${login}`, ...person }) };
  },
});

provider.listen(Number(port), '127.0.0.1', () => console.log(`OpenID provider on http://127.0.0.1:${port}`));
