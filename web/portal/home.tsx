import { useMutation } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { api } from './api.js';
import { emailCheckText, EMAIL_PATTERN, errorText } from './errors.js';
import { langSearch, useHome, useLang } from './hooks.js';
import { savePending } from './pending.js';

/** What a person can choose on the home, and the request each one opens. */
export const INTENTS = ['access', 'rectification', 'erasure', 'restriction', 'objection', 'consents', 'portability'] as const;
export type Intent = (typeof INTENTS)[number];
// Seeing one's consents is seeing one's data (Art. 15): the space opens on them.
const REQUEST_OF: Readonly<Record<Intent, string>> = {
  access: 'access',
  rectification: 'rectification',
  erasure: 'erasure',
  restriction: 'restriction',
  objection: 'objection',
  consents: 'access',
  portability: 'portability',
};

interface HomeForm {
  email: string;
  intent: Intent;
}

/** The portal's home: who the controller is, what is held and why, each right, and the form to start. */
export function HomePage() {
  const { t } = useTranslation();
  const lang = useLang();
  const navigate = useNavigate();
  const home = useHome();
  const { register, handleSubmit, formState } = useForm<HomeForm>({ defaultValues: { email: '', intent: 'access' } });
  const ask = useMutation({
    mutationFn: (form: HomeForm) =>
      api<{ id: string }>('POST', '/api/v1/requests', { type: REQUEST_OF[form.intent], email: form.email.trim(), language: lang, channel: 'portal', details: { intent: form.intent } }),
    onSuccess: (res, form) => {
      savePending({ requestId: res.id, intent: form.intent }, form.email.trim());
      void navigate({ to: '/portal/code', search: langSearch(lang) });
    },
  });
  const h = home.data;
  const emailError = emailCheckText(t, formState.errors.email) ?? (ask.isError ? errorText(t, ask.error) : null);

  return (
    <>
      <h1>{t('title')}</h1>
      {h && <p className="lead">{t('home.intro', { controller: h.controller.name })}</p>}

      <form className="card start-form" aria-labelledby="start-title" noValidate onSubmit={(e) => void handleSubmit((f) => ask.mutate(f))(e)}>
        <h2 id="start-title">{t('home.choose')}</h2>
        <fieldset className="intents">
          <legend className="visually-hidden">{t('home.choose')}</legend>
          {INTENTS.map((intent) => (
            <label key={intent} className="intent">
              <input type="radio" value={intent} {...register('intent')} />
              <span>
                <strong>{t(`intents.${intent}.label`)}</strong>
                <span className="muted">{t(`intents.${intent}.hint`)}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="email">{t('home.email')}</label>
          <input
            id="email"
            type="email"
            autoComplete="email"
            inputMode="email"
            aria-invalid={emailError !== null}
            aria-describedby={emailError !== null ? 'email-error email-hint' : 'email-hint'}
            {...register('email', { required: true, pattern: EMAIL_PATTERN })}
          />
          <p id="email-hint" className="muted">{t('home.emailHint')}</p>
          {emailError !== null && <p id="email-error" className="field-error" role="alert">{emailError}</p>}
        </div>
        <button type="submit" className="btn" disabled={ask.isPending}>{t('home.submit')}</button>
      </form>

      {h && (
        <>
          <section className="card" aria-labelledby="who-title">
            <h2 id="who-title">{t('home.who')}</h2>
            <address className="who">
              <strong>{h.controller.name}</strong>
              {[h.controller.address.street, [h.controller.address.postalCode, h.controller.address.city].filter(Boolean).join(' ')].filter(Boolean).map((line) => (
                <span key={line}>{line}</span>
              ))}
              {h.controller.email && <span>{t('footer.contact')} : <a href={`mailto:${h.controller.email}`}>{h.controller.email}</a></span>}
              {h.controller.dpoEmail && <span>{t('footer.dpo')} : <a href={`mailto:${h.controller.dpoEmail}`}>{h.controller.dpoEmail}</a></span>}
            </address>
            <p className="muted">{t('home.deadline')}</p>
          </section>
          <section className="card" aria-labelledby="held-title">
            <h2 id="held-title">{t('home.held')}</h2>
            <ul className="purposes">
              {h.purposes.map((p) => (
                <li key={p.id}>
                  <h3>{p.name[lang]}</h3>
                  <p>{p.description[lang]}</p>
                  <p className="muted">{t('home.categories')} : {p.dataCategories.map((c) => c[lang]).join(', ')}</p>
                </li>
              ))}
            </ul>
          </section>
          <section className="card authority" aria-labelledby="cnil-title">
            <h2 id="cnil-title">{t('home.cnil')}</h2>
            <p>{t('home.cnilText', { name: h.authority.name })}</p>
            <p>
              {h.authority.address}
              <br />
              <a href={`tel:${h.authority.phone.replace(/\s+/g, '')}`}>{h.authority.phone}</a>
              <br />
              <a href={h.authority.website} rel="noopener noreferrer">{h.authority.website}</a>
            </p>
          </section>
        </>
      )}
    </>
  );
}
