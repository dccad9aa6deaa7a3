import { useId, useState, type FormEvent } from 'react';
import { asApiError, createOrganisation, type ApiError, type ErrorDetail, type Organisation } from './api.js';
import { messagesByField } from './labels.js';

interface Props {
  readonly onCreated: (organisation: Organisation) => void;
  readonly onCancel: () => void;
}

/** The fields of the form, by the API's field name. */
const FIELDS = ['name', 'siret'] as const;

/** Creates an organisation; the API's field errors are shown beside their fields. */
export function OrganisationForm({ onCreated, onCancel }: Props) {
  const [name, setName] = useState('');
  const [siret, setSiret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const ids = { name: useId(), siret: useId() };

  // A 403 names the fields the role may not write, not fields typed wrong: it gets its own message.
  const fieldDetails = error && !error.forbidden ? error.details : [];
  const byField = messagesByField(fieldDetails);
  // Problems the form has no field for are listed in the banner, so none goes unsaid.
  const others: ErrorDetail[] = fieldDetails.filter((d) => !(FIELDS as readonly string[]).includes(d.field));

  async function submit(e: FormEvent<HTMLFormElement>): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // SIRETs are often typed in groups ("732 829 320 00074"); the API wants the 14 digits.
      const digits = siret.replace(/\s+/g, '');
      const created = await createOrganisation({ name: name.trim(), siret: digits === '' ? null : digits });
      setName('');
      setSiret('');
      onCreated(created);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (field: (typeof FIELDS)[number]) => {
    const messages = byField.get(field);
    if (!messages) return null;
    return (
      <span className="field-error" id={`${ids[field]}-error`} data-field={field} role="alert">
        {messages.join(' ; ')}
      </span>
    );
  };

  return (
    <form className="card form" onSubmit={(e) => void submit(e)} noValidate aria-label="Nouvelle organisation">
      <h2>Nouvelle organisation</h2>
      {error && (
        <div className="alert error" role="status">
          {formMessage(error, fieldDetails.length > 0)}
          {others.length > 0 && (
            <ul>
              {others.map((d) => (
                <li key={`${d.field}|${d.message}`}>
                  {d.field} : {d.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="form-row">
        <label htmlFor={ids.name}>Raison sociale</label>
        <div className="field">
          <input
            id={ids.name}
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={300}
            autoComplete="off"
            aria-invalid={byField.has('name') || undefined}
            aria-describedby={byField.has('name') ? `${ids.name}-error` : undefined}
          />
          {fieldError('name')}
        </div>
      </div>
      <div className="form-row">
        <label htmlFor={ids.siret}>SIRET</label>
        <div className="field">
          <input
            id={ids.siret}
            name="siret"
            value={siret}
            onChange={(e) => setSiret(e.target.value)}
            inputMode="numeric"
            placeholder="14 chiffres"
            autoComplete="off"
            aria-invalid={byField.has('siret') || undefined}
            aria-describedby={byField.has('siret') ? `${ids.siret}-error` : undefined}
          />
          {fieldError('siret')}
        </div>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Enregistrement…' : 'Créer l’organisation'}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Annuler
        </button>
      </div>
    </form>
  );
}

function formMessage(error: ApiError, hasFieldErrors: boolean): string {
  if (error.forbidden) return 'Votre rôle ne permet pas de créer une organisation.';
  if (error.csrfRefused) return 'Votre session a changé entre-temps : réessayez.';
  return hasFieldErrors ? 'Vérifiez les champs signalés.' : error.message;
}
