// Service tokens.
// ruleid: any.secrets.service_token
const gh = 'ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
// ruleid: any.secrets.service_token
const openai = new OpenAI({ apiKey: 'sk-proj-Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm' });
// ruleid: any.secrets.service_token
const hook = 'https://hooks.slack.com/services/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';
// ruleid: any.secrets.service_token
const npmToken = 'npm_Ab3De5Gh7Jk9Mn1Pq3St5Vw7Yz9Bc1Ef3Hj5';
// ok: any.secrets.service_token
const token = process.env.GITHUB_TOKEN;
// ok: any.secrets.service_token
const example = 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';
