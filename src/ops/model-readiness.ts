/**
 * Readiness of the model endpoints for /readyz: GET {baseUrl}/models, which OpenAI, Ollama, vLLM
 * and speaches all serve, bounded in time. It lists models and costs no tokens. Messages name the
 * endpoint by host only (a base URL may carry credentials) and say what is wrong.
 */
export async function checkModelEndpoint(
  what: string,
  endpoint: { baseUrl: string; apiKey?: string | undefined },
  timeoutMs = 3000,
): Promise<void> {
  const url = new URL(endpoint.baseUrl);
  const where = `${what} endpoint ${url.host}`;
  const models = new URL(`${url.pathname.replace(/\/+$/, '')}/models`, url);
  models.username = '';
  models.password = '';
  let res: Response;
  try {
    res = await fetch(models, {
      headers: endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') throw new Error(`${where} did not answer within ${timeoutMs} ms`);
    throw new Error(`${where} is not reachable (${e.cause?.code ?? e.cause?.message ?? e.message})`);
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.status === 401 || res.status === 403)
    throw new Error(`${where} refused the API key (HTTP ${res.status}): check OPENAI_API_KEY`);
  if (!res.ok) throw new Error(`${where} answered HTTP ${res.status} to GET /models`);
}
