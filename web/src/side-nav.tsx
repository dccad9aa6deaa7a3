import { useTranslation } from 'react-i18next';
import { pageHref } from './router.js';

/** The left navigation: the pages the policy's grants give the signed-in role (GET /api/v1/navigation). */
export function SideNav({ pages, current }: { readonly pages: readonly string[]; readonly current: string | null }) {
  const { t } = useTranslation();
  return (
    <nav className="sidenav" aria-label={t('nav.label')}>
      <ul>
        {pages.map((page) => (
          <li key={page}>
            <a href={pageHref(page)} aria-current={page === current ? 'page' : undefined}>
              {t(`nav.${page}`)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
