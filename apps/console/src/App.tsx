import { useMemo } from 'react';
import { LiveContext, TermsContext, usePersistentSystem, useLiveFeed, useRoute } from './hooks';
import { SYSTEMS, translator, type Translate } from './terms';
import { AppsView } from './views/AppsView';
import { GroupsView } from './views/GroupsView';
import { HelpView } from './views/HelpView';
import { InspectView } from './views/InspectView';
import { OverviewView } from './views/OverviewView';
import { StreamView } from './views/StreamView';
import { TraceView } from './views/TraceView';

interface Tab {
  path: string;
  id: string;
  label: (t: Translate) => string;
}

const TABS: Tab[] = [
  { path: '/', id: 'overview', label: () => 'Overview' },
  { path: '/topics', id: 'stream', label: (t) => t('topic', { plural: true, title: true }) },
  { path: '/groups', id: 'groups', label: (t) => t('group', { plural: true, title: true }) },
  { path: '/apps', id: 'apps', label: () => 'Apps' },
  { path: '/inspect', id: 'inspect', label: (t) => `Inspect ${t('record', { plural: true })}` },
  { path: '/trace', id: 'trace', label: () => 'Order trace' },
  { path: '/help', id: 'help', label: () => 'Words' },
];

export function App() {
  const live = useLiveFeed();
  const [system, setSystem] = usePersistentSystem();
  const [path, navigate] = useRoute();
  const terms = useMemo(() => ({ system, t: translator(system) }), [system]);
  const tab = TABS.find((x) => x.path !== '/' && path.startsWith(x.path)) ?? TABS[0]!;

  return (
    <TermsContext.Provider value={terms}>
      <LiveContext.Provider value={live}>
        <header className="top">
          <div className="brand">
            <span className="logo">▤</span> the orders stream
          </div>
          <nav>
            {TABS.map((x) => (
              <a
                key={x.id}
                href={x.path}
                data-testid={`tab-${x.id}`}
                className={x === tab ? 'active' : ''}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(x.path);
                }}
              >
                {x.label(terms.t)}
              </a>
            ))}
          </nav>
          <div className="terms" role="radiogroup" aria-label="terminology">
            {SYSTEMS.map((s) => (
              <button
                key={s.id}
                role="radio"
                aria-checked={s.id === system}
                data-testid={`terms-${s.id}`}
                className={s.id === system ? 'on' : ''}
                onClick={() => setSystem(s.id)}
              >
                {s.label}
              </button>
            ))}
          </div>
          <div className={`conn ${live.connected ? 'ok' : 'down'}`} title="live feed from the broker">
            {live.connected ? '● live' : '○ reconnecting…'}
          </div>
        </header>
        <main data-view={tab.id}>
          {tab.id === 'overview' && <OverviewView />}
          {tab.id === 'stream' && <StreamView />}
          {tab.id === 'groups' && <GroupsView />}
          {tab.id === 'apps' && <AppsView />}
          {tab.id === 'inspect' && <InspectView path={path} navigate={navigate} />}
          {tab.id === 'trace' && <TraceView />}
          {tab.id === 'help' && <HelpView />}
        </main>
      </LiveContext.Provider>
    </TermsContext.Provider>
  );
}
