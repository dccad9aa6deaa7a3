import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json' with { type: 'json' };
import fr from './locales/fr.json' with { type: 'json' };

/** The back office's languages: French by default, English one click away, kept across reloads. */
export type Lang = 'fr' | 'en';
const KEY = 'rempart-lang';

function initial(): Lang {
  const asked = new URLSearchParams(window.location.search).get('lang');
  if (asked === 'en' || asked === 'fr') return asked;
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'fr';
}

void i18n.use(initReactI18next).init({ resources: { fr: { translation: fr }, en: { translation: en } }, lng: initial(), fallbackLng: 'fr', interpolation: { escapeValue: false } });
document.documentElement.lang = i18n.language;

/** Switches the language of every page at once, and remembers it. */
export function setLanguage(lang: Lang): void {
  localStorage.setItem(KEY, lang);
  document.documentElement.lang = lang;
  void i18n.changeLanguage(lang);
}

export { i18n };
