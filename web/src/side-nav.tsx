import { href, type View } from './router.js';

const ITEMS: readonly { readonly view: View; readonly label: string }[] = [
  { view: 'organisations', label: 'Organisations' },
  { view: 'people', label: 'Personnes' },
  { view: 'contracts', label: 'Contrats' },
  { view: 'invoices', label: 'Factures' },
  { view: 'complaints', label: 'Réclamations' },
];

/** The left navigation between the record types. */
export function SideNav({ current }: { readonly current: View }) {
  return (
    <nav className="sidenav" aria-label="Navigation principale">
      <ul>
        {ITEMS.map((item) => (
          <li key={item.view}>
            <a
              href={href(item.view === 'people' ? { view: 'people', personId: null } : { view: item.view })}
              aria-current={item.view === current ? 'page' : undefined}
            >
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
