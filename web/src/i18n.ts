import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json' with { type: 'json' };
import fr from './locales/fr.json' with { type: 'json' };

/**
 * Each area of the back office keeps its labels in its own pair of catalogues
 * (`locales/<area>.fr.json`, `locales/<area>.en.json`), read under the key `<area>`
 * (`t('<area>.title')`): one line per area here, so that areas grow without touching
 * one another's files.
 */
const AREAS: Record<string, { readonly fr: object; readonly en: object }> = {};

function catalogue(lang: 'fr' | 'en', core: object): object {
  return { ...core, ...Object.fromEntries(Object.entries(AREAS).map(([area, c]) => [area, c[lang]])) };
}

/** The back office's languages: French by default, English one click away, kept across reloads. */
export type Lang = 'fr' | 'en';
const KEY = 'rempart-lang';

function initial(): Lang {
  const asked = new URLSearchParams(window.location.search).get('lang');
  if (asked === 'en' || asked === 'fr') return asked;
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'fr';
}

void i18n.use(initReactI18next).init({ resources: { fr: { translation: catalogue('fr', fr) }, en: { translation: catalogue('en', en) } }, lng: initial(), fallbackLng: 'fr', interpolation: { escapeValue: false } });
document.documentElement.lang = i18n.language;

/** Switches the language of every page at once, and remembers it. */
export function setLanguage(lang: Lang): void {
  localStorage.setItem(KEY, lang);
  document.documentElement.lang = lang;
  void i18n.changeLanguage(lang);
}

export { i18n };
