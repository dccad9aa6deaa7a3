import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMay } from './actions.js';
import { apiGet, apiPost, ApiError } from './api.js';
import { Failure, useFormat } from './workspace.js';

/*
 * The opposition list (R-PROS-3, P5.6; CPCE L34-5 and GDPR Art. 21(2)): check whether
 * an e-mail or a phone is on it (yes or no, nothing else: the list serves no other
 * purpose), and add one for a person who objects. The list holds keyed hashes only; the
 * identifier typed travels in the body of a POST, never in an address, and the page keeps
 * no copy of it once answered. Listing and removing entries are the dpo's (CLI and API).
 */

type Kind = 'email' | 'phone';

export function OppositionView() {
  const { t } = useTranslation();
  const f = useFormat();
  const ids = useId();
  const mayAdd = useMay('opposition.add');
  const queryClient = useQueryClient();
  const size = useQuery({ queryKey: ['opposition-size'], queryFn: () => apiGet<{ entries: number }>('/api/v1/opposition/size') });
  const [kind, setKind] = useState<Kind>('email');
  const [value, setValue] = useState('');
  const [answer, setAnswer] = useState<{ readonly kind: 'check' | 'add'; readonly opposed: boolean } | null>(null);
  const body = () => ({ [kind]: value.trim() });
  const check = useMutation({
    mutationFn: () => apiPost<{ opposed: boolean }>('/api/v1/opposition/check', body()),
    onSuccess: (r) => setAnswer({ kind: 'check', opposed: r.opposed }),
  });
  const add = useMutation({
    mutationFn: () => apiPost<{ added: boolean }>('/api/v1/opposition', body()),
    onSuccess: () => {
      setAnswer({ kind: 'add', opposed: true });
      setValue('');
      void queryClient.invalidateQueries({ queryKey: ['opposition-size'] });
    },
  });
  const onCheck = (e: FormEvent) => {
    e.preventDefault();
    add.reset();
    check.mutate();
  };
  const error = check.error ?? add.error;
  const fieldError = error instanceof ApiError ? error.details.find((d) => d.field === kind) : undefined;
  return (
    <section aria-labelledby="opposition-title">
      <h1 id="opposition-title">{t('opposition.title')}</h1>
      <p className="muted">{t('opposition.intro')}</p>
      {size.data && <p className="big">{t('opposition.size', { count: size.data.entries, n: f.number(size.data.entries) })}</p>}
      {size.isError && <Failure error={size.error} />}
      <form className="card wide" onSubmit={onCheck} aria-labelledby={`${ids}-form`} noValidate>
        <h2 id={`${ids}-form`}>{mayAdd ? t('opposition.checkOrAdd') : t('opposition.check')}</h2>
        <fieldset className="inline">
          <legend>{t('opposition.kind')}</legend>
          {(['email', 'phone'] as const).map((k) => (
            <label key={k} className="check">
              <input type="radio" name={`${ids}-kind`} checked={kind === k} onChange={() => setKind(k)} /> {t(`opposition.kinds.${k}`)}
            </label>
          ))}
        </fieldset>
        <div className="form-grid">
          <label htmlFor={`${ids}-value`}>{t(`opposition.kinds.${kind}`)}</label>
          <input
            id={`${ids}-value`}
            type={kind === 'email' ? 'email' : 'tel'}
            autoComplete="off"
            value={value}
            onChange={(e) => {
              setValue(e.target.value);
              setAnswer(null);
            }}
            required
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? `${ids}-error` : undefined}
          />
          {fieldError && (
            <p id={`${ids}-error`} className="field-error help">
              {t(`opposition.invalid.${kind}`)}
            </p>
          )}
        </div>
        <div className="actions">
          <button type="submit" className={mayAdd ? undefined : 'primary'} disabled={check.isPending || value.trim() === ''}>
            {t('opposition.checkButton')}
          </button>
          {mayAdd && (
            <button type="button" className="primary" onClick={() => add.mutate()} disabled={add.isPending || value.trim() === ''}>
              {t('opposition.addButton')}
            </button>
          )}
        </div>
        <p role="status" className={answer ? `alert ${answer.opposed ? 'error' : 'info'}` : 'sr-only'}>
          {answer === null ? '' : answer.kind === 'add' ? t('opposition.added') : answer.opposed ? t('opposition.opposed') : t('opposition.notOpposed')}
        </p>
        {error && !fieldError && <Failure error={error} />}
      </form>
      <p className="muted small">{mayAdd ? t('opposition.howAdd') : t('opposition.howNoAdd')}</p>
    </section>
  );
}
