import { useMutation } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { api } from './api.js';
import { emailCheckText, EMAIL_PATTERN, errorField, errorText } from './errors.js';
import { langSearch, useLang } from './hooks.js';
import { pendingEmail, readPending } from './pending.js';

interface CodeForm {
  email: string;
  code: string;
}

/**
 * The page the code mail links to (`/portal/code`, nothing personal in the URL): the
 * address and the code. On the device that asked, the request is known; elsewhere the
 * address finds it. Right, it opens the person's space.
 */
export function CodePage() {
  const { t } = useTranslation();
  const lang = useLang();
  const navigate = useNavigate();
  const pending = readPending();
  const { register, handleSubmit, formState } = useForm<CodeForm>({ defaultValues: { email: pendingEmail(), code: '' } });
  const check = useMutation({
    mutationFn: (form: CodeForm) =>
      api<{ expiresAt: string }>('POST', '/api/v1/portal/session', {
        code: form.code.replace(/\s+/g, ''),
        email: form.email.trim(),
        language: lang,
        ...(pending === null ? {} : { requestId: pending.requestId }),
      }),
    onSuccess: () => void navigate({ to: '/portal/space', search: langSearch(lang), hash: pending?.intent ?? 'access' }),
  });
  const serverField = check.isError ? errorField(check.error) : null;
  const serverText = check.isError ? errorText(t, check.error) : null;
  const emailError = emailCheckText(t, formState.errors.email) ?? (serverField === 'email' ? serverText : null);
  const codeError = formState.errors.code?.type === 'required' ? t('errors.codeRequired') : formState.errors.code ? t('errors.codeInvalid') : serverField !== 'email' ? serverText : null;

  return (
    <>
      <h1>{t('code.title')}</h1>
      <p className="lead">{t('code.intro')}</p>
      <form className="card" aria-labelledby="code-title" noValidate onSubmit={(e) => void handleSubmit((f) => check.mutate(f))(e)}>
        <h2 id="code-title" className="visually-hidden">{t('code.title')}</h2>
        <div className="field">
          <label htmlFor="code-email">{t('code.email')}</label>
          <input
            id="code-email"
            type="email"
            autoComplete="email"
            aria-invalid={emailError !== null}
            aria-describedby={emailError !== null ? 'code-email-error' : undefined}
            {...register('email', { required: true, pattern: EMAIL_PATTERN })}
          />
          {emailError !== null && <p id="code-email-error" className="field-error" role="alert">{emailError}</p>}
        </div>
        <div className="field">
          <label htmlFor="code">{t('code.code')}</label>
          <input
            id="code"
            className="code-input"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={9}
            aria-invalid={codeError !== null}
            aria-describedby={codeError !== null ? 'code-error' : undefined}
            {...register('code', { required: true, pattern: /^\s*\d{3}\s*\d{3}\s*$/ })}
          />
          {codeError !== null && <p id="code-error" className="field-error" role="alert">{codeError}</p>}
        </div>
        <div className="btn-row">
          <button type="submit" className="btn" disabled={check.isPending}>{t('code.submit')}</button>
          <Link to="/portal" search={langSearch(lang)}>{t('code.again')}</Link>
        </div>
      </form>
    </>
  );
}
