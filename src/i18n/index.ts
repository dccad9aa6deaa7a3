import i18next, { type TFunction } from 'i18next';
import en from './en.json' with { type: 'json' };
import fr from './fr.json' with { type: 'json' };

/** The languages of the product's messages. */
export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * One catalogue for the product's sentences (src/i18n/<lang>.json), so the CLI and the
 * web say the same thing in the same words. An instance of its own: no global state.
 */
export async function translator(lang: Language): Promise<TFunction> {
  const instance = i18next.createInstance();
  await instance.init({ lng: lang, fallbackLng: 'en', resources: { en: { translation: en }, fr: { translation: fr } }, interpolation: { escapeValue: false } });
  return instance.t.bind(instance);
}
