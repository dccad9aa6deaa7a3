import i18n from 'i18next';
import { StrictMode, useEffect, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { initReactI18next, useTranslation } from 'react-i18next';
import en from './locales/en.json' with { type: 'json' };
import fr from './locales/fr.json' with { type: 'json' };

const lang = new URLSearchParams(window.location.search).get('lang') === 'en' ? 'en' : 'fr';
void i18n.use(initReactI18next).init({ resources: { fr: { translation: fr }, en: { translation: en } }, lng: lang, fallbackLng: 'fr' });
document.documentElement.lang = lang;

interface Home {
  controller: { name: string; email: string; dpoEmail: string };
  authority: { name: string; address: string; phone: string; website: string };
  purposes: { id: string; name: { fr: string; en: string }; description: { fr: string; en: string } }[];
  rights: string[];
}

function Portal() {
  const { t } = useTranslation();
  const [home, setHome] = useState<Home | null>(null);
  const [requestId, setRequestId] = useState<string | null>(null);
  const [message, setMessage] = useState('');
  useEffect(() => {
    void fetch('/api/v1/portal/home').then(async (r) => setHome((await r.json()) as Home));
  }, []);
  const ask = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const r = await fetch('/api/v1/requests', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: form.get('type'), email: form.get('email'), language: lang, channel: 'portal' }) });
    if (r.ok) {
      setRequestId(((await r.json()) as { id: string }).id);
      setMessage(t('sent'));
    }
  };
  const verify = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const r = await fetch(`/api/v1/requests/${requestId ?? ''}/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: form.get('code') }) });
    setMessage(r.ok ? t('done') + ((await r.json()) as { dueAt: string }).dueAt.slice(0, 10) : t('error'));
  };
  return (
    <main>
      <a href={lang === 'en' ? '/portal' : '/portal?lang=en'}>{t('lang')}</a>
      <h1>{t('title')}</h1>
      {home && (
        <>
          <h2>{t('controller')}</h2>
          <p>{home.controller.name} {home.controller.email}</p>
          <h2>{t('purposes')}</h2>
          <ul>{home.purposes.map((p) => <li key={p.id}><strong>{p.name[lang]}</strong> : {p.description[lang]}</li>)}</ul>
          <p>{t('cnil')} : {home.authority.address}, {home.authority.phone}, <a href={home.authority.website}>{home.authority.website}</a></p>
        </>
      )}
      {requestId === null ? (
        <form onSubmit={(e) => void ask(e)}>
          <label>{t('email')} <input name="email" type="email" required /></label>
          <label>{t('right')} <select name="type">{(home?.rights ?? ['access']).map((r) => <option key={r} value={r}>{t(r)}</option>)}</select></label>
          <button type="submit">{t('send')}</button>
        </form>
      ) : (
        <form onSubmit={(e) => void verify(e)}>
          <label>{t('code')} <input name="code" inputMode="numeric" required /></label>
          <button type="submit">{t('verify')}</button>
        </form>
      )}
      <p role="status">{message}</p>
      <a href={`/notice?lang=${lang}`}>Notice</a>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode><Portal /></StrictMode>);
