import { createContext, useContext } from 'react';

/**
 * The actions the signed-in role may take on its pages (GET /api/v1/navigation
 * `actions`, from the same grants as the routes behind them): a page hides the buttons
 * of those it lacks instead of offering what the server would refuse. The pages the role
 * may open are there too, as `page:<name>` (a view links to, or shows names from, only those).
 */
export const ActionsContext = createContext<readonly string[]>([]);

/** Whether the signed-in role may take this action (e.g. `campaigns.create`) or open this page (`page:organisations`). */
export function useMay(action: string): boolean {
  return useContext(ActionsContext).includes(action);
}
