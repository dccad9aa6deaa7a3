import { describe, expect, it } from 'vitest';
import { missingMandatoryFields } from './mandatory.js';

const CONTRACT = ['organisation.name', 'contacts[].lastName', 'contacts[].firstName', 'contacts[].email', 'offer', 'startDate'];

describe('P1.2 mandatory fields', () => {
  it('P1.2 a complete contract has nothing missing', () => {
    const view = {
      organisation: { name: 'ACME' },
      contacts: [{ lastName: 'Dupont', firstName: 'Jeanne', email: 'j@acme.fr' }],
      offer: 'Audit',
      startDate: '2026-01-01',
    };
    expect(missingMandatoryFields(view, CONTRACT)).toEqual([]);
  });

  it('P1.2 lists every missing field at once, with its path', () => {
    const view = {
      organisation: { name: '  ' },
      contacts: [{ lastName: 'Dupont', firstName: null, email: 'j@acme.fr' }, { lastName: '', firstName: 'Paul' }],
      offer: undefined,
    };
    expect(missingMandatoryFields(view, CONTRACT).map((d) => d.field)).toEqual([
      'organisation.name',
      'contacts[1].lastName',
      'contacts[0].firstName',
      'contacts[1].email',
      'offer',
      'startDate',
    ]);
  });

  it('P1.2 no organisation and no contacts: each reported once', () => {
    const fields = missingMandatoryFields({}, CONTRACT).map((d) => d.field);
    expect(fields).toEqual(['organisation', 'contacts', 'offer', 'startDate']);
  });
});
