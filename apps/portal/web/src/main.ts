import { call, setUnauthorizedHandler } from './api.js';
import { clear, h } from './dom.js';
import { apiAccessPage } from './pages/api-access.js';
import { checkEmailPage, forgotPasswordPage, invitePage, loginPage, registerPage, resetPasswordPage, verifyPage } from './pages/account.js';
import { auditPage, membersPage } from './pages/settings.js';
import { interceptLinks, link, navigate, render, route, setFlash, setRenderHook, type Page } from './router.js';
import { clearSession, getSession, rememberNext } from './session.js';

/** A page that needs a session: without one, remember where we were going and log in first. */
const signedIn =
  (page: Page): Page =>
  (main) => {
    if (!getSession()) {
      rememberNext(location.pathname);
      setFlash('Log in to continue.');
      navigate('/login', true);
      return;
    }
    return page(main);
  };

route('/', () => navigate(getSession() ? '/settings/api-access' : '/login', true));
route('/register', registerPage);
route('/check-email', checkEmailPage);
route('/verify', verifyPage);
route('/login', loginPage);
route('/invite', invitePage);
route('/forgot-password', forgotPasswordPage);
route('/reset-password', resetPasswordPage);
route('/settings', () => navigate('/settings/api-access', true));
route('/settings/api-access', signedIn(apiAccessPage));
route('/settings/audit', signedIn(auditPage));
route('/settings/members', signedIn(membersPage));
route('*', (main) => {
  main.append(h('h1', {}, 'Page not found'), h('p', {}, link('/', 'Go to the portal')));
});

setUnauthorizedHandler(() => {
  setFlash('Your session has ended. Log in again to continue.');
  navigate('/login', true);
});

/** The header: navigation and "Log out" when signed in. */
function drawHeader(path: string): void {
  const header = document.getElementById('account');
  const nav = document.getElementById('nav');
  if (!header || !nav) return;
  clear(header);
  clear(nav);
  const session = getSession();
  if (!session) return;
  const items: [string, string][] = [
    ['/settings/api-access', 'API Access'],
    ['/settings/audit', 'Audit log'],
    ['/settings/members', 'Members'],
  ];
  nav.append(
    h(
      'ul',
      {},
      ...items.map(([href, text]) => h('li', {}, h('a', { href, 'aria-current': path === href ? 'page' : undefined }, text))),
    ),
  );
  const logout = h('button', { type: 'button', class: 'btn btn-small', 'data-action': 'logout' }, 'Log out');
  logout.addEventListener('click', () => {
    logout.disabled = true;
    call('POST', '/api/user/logout')
      .catch(() => undefined)
      .finally(() => {
        clearSession();
        setFlash('You are logged out.', 'success');
        navigate('/login');
      });
  });
  header.append(h('span', { class: 'who' }, `${session.user.email} (${session.user.role})`), logout);
}

setRenderHook(drawHeader);
interceptLinks();
void render();
