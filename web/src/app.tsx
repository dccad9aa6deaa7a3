import { AppHeader } from './app-header.js';
import { ComplaintsView } from './complaints-view.js';
import { ContractsView } from './contracts-view.js';
import { InvoicesView } from './invoices-view.js';
import { OrganisationsView } from './organisations-view.js';
import { PeopleView } from './people-view.js';
import { useRoute, type Route } from './router.js';
import { SideNav } from './side-nav.js';

function Content({ route }: { readonly route: Route }) {
  switch (route.view) {
    case 'organisations':
      return <OrganisationsView />;
    case 'people':
      return <PeopleView personId={route.personId} />;
    case 'contracts':
      return <ContractsView />;
    case 'invoices':
      return <InvoicesView />;
    case 'complaints':
      return <ComplaintsView />;
  }
}

/** The backoffice: top bar, navigation, and the view of the current route. */
export function App() {
  const route = useRoute();
  return (
    <div className="shell">
      <AppHeader />
      <SideNav current={route.view} />
      <main className="content">
        <Content route={route} />
      </main>
    </div>
  );
}
