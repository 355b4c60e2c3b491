import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import { reduceLive, type LiveData } from './logic';
import { isSystem, translator, type System, type Translate } from './terms';

/** The broker's live feed (`/api/stream`): snapshot every second, histories, group events. */
export function useLiveFeed(url = '/api/stream'): LiveData & { connected: boolean } {
  const [data, setData] = useState<LiveData>({ snapshot: null, lag: {}, throughput: {}, events: [] });
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const es = new EventSource(url);
    for (const name of ['history', 'snapshot', 'group-event']) {
      es.addEventListener(name, (e) => {
        const payload = JSON.parse((e as MessageEvent<string>).data) as unknown;
        setData((d) => reduceLive(d, name, payload));
      });
    }
    es.onopen = () => setConnected(true);
    es.onerror = () => setConnected(false);
    return () => es.close();
  }, [url]);
  return { ...data, connected };
}

export const LiveContext = createContext<(LiveData & { connected: boolean }) | null>(null);

export function useLive() {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive outside LiveContext');
  return live;
}

export const TermsContext = createContext<{ system: System; t: Translate }>({
  system: 'kafka',
  t: translator('kafka'),
});

export function useTerms() {
  return useContext(TermsContext);
}

export function usePersistentSystem(): [System, (s: System) => void] {
  const [system, setSystem] = useState<System>(() => {
    const fromUrl = new URLSearchParams(location.search).get('terms');
    if (isSystem(fromUrl)) return fromUrl;
    const stored = localStorage.getItem('console.terms');
    return isSystem(stored) ? stored : 'kafka';
  });
  const set = useCallback((s: System) => {
    localStorage.setItem('console.terms', s);
    setSystem(s);
  }, []);
  return [system, set];
}

/** Path-based routing for a handful of views (the broker serves index.html for any of them). */
export function useRoute(): [string, (path: string) => void] {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string) => {
    if (to === location.pathname) return;
    history.pushState(null, '', to + location.search);
    setPath(to);
  }, []);
  return [path, navigate];
}

/** Polls a JSON URL while mounted; `null` until the first answer, `error` when it fails. */
export function usePoll<T>(
  url: string | null,
  everyMs: number,
): { data: T | null; error: string | null; status: number | null; refresh: () => void } {
  const [state, setState] = useState<{ data: T | null; error: string | null; status: number | null }>({
    data: null,
    error: null,
    status: null,
  });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    if (!url) return;
    let stopped = false;
    const load = async () => {
      try {
        const res = await fetch(url, { cache: 'no-store' });
        const body = (await res.json().catch(() => null)) as T | { error?: string } | null;
        if (stopped) return;
        if (res.ok) setState({ data: body as T, error: null, status: res.status });
        else
          setState((s) => ({
            data: s.data,
            error: (body as { error?: string } | null)?.error ?? res.statusText,
            status: res.status,
          }));
      } catch (err) {
        if (!stopped) setState((s) => ({ data: s.data, error: String(err), status: null }));
      }
    };
    void load();
    const timer = setInterval(load, everyMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [url, everyMs, nonce]);
  const refresh = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, refresh };
}

/** POST/PATCH/DELETE with a JSON body; resolves to the parsed answer, throws with the server's message. */
export async function send(
  method: 'POST' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await res.json().catch(() => ({}))) as { error?: string; message?: string | string[] };
  if (!res.ok) {
    const msg = answer.error ?? (Array.isArray(answer.message) ? answer.message.join('; ') : answer.message);
    throw new Error(msg ?? `${res.status} ${res.statusText}`);
  }
  return answer;
}
