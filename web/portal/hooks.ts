import { useQuery } from '@tanstack/react-query';
import { useRouterState } from '@tanstack/react-router';
import { api, type Home, type Lang } from './api.js';

/** The language is in the URL (`?lang=en`), so a link or a reload keeps it; French by default. */
export interface PortalSearch {
  readonly lang?: 'en';
}

/** The language of the page, from its URL. */
export function useLang(): Lang {
  return useRouterState({ select: (s) => ((s.location.search as PortalSearch).lang === 'en' ? 'en' : 'fr') });
}

/** The search part every portal link carries: the language, and nothing else. */
export function langSearch(lang: Lang): PortalSearch {
  return lang === 'en' ? { lang: 'en' } : {};
}

/** What the home, the footer and the space say of the controller: from the policy, once. */
export function useHome() {
  return useQuery({ queryKey: ['home'], queryFn: () => api<Home>('GET', '/api/v1/portal/home'), staleTime: Infinity });
}

