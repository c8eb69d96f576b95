import { ApiError, call } from '../api.js';
import { h } from '../dom.js';
import { errorBox, infoBox } from '../errors.js';
import { checked, field, form, onSubmit, value } from '../forms.js';
import { link, navigate, setFlash } from '../router.js';
import { pendingEmail, setSession, takeNext, type Session } from '../session.js';

/** Reads `token` from the URL fragment (or, for older links, the query) and removes it from the address bar. */
export function takeTokenFromUrl(): string | null {
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  const fromQuery = new URLSearchParams(location.search).get('token');
  const token = fromHash ?? fromQuery;
  if (location.hash || location.search) history.replaceState(null, '', location.pathname);
  return token && token.length > 0 ? token : null;
}

const passwordHint = '8 to 128 characters, not your email address.';

export function registerPage(main: HTMLElement): void {
  const parts = form(
    'Create your account',
    [
      field({ name: 'firstName', label: 'First name', autocomplete: 'given-name', required: true }),
      field({ name: 'lastName', label: 'Last name', autocomplete: 'family-name', required: true }),
      field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'email', required: true }),
      field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', required: true, hint: passwordHint }),
      field({ name: 'confirmPassword', label: 'Confirm password', type: 'password', autocomplete: 'new-password', required: true }),
      field({ name: 'acceptedTerms', label: 'I accept the terms of service', type: 'checkbox', required: true }),
    ],
    'Create account',
  );
  onSubmit(parts, async () => {
    const email = value(parts.form, 'email');
    await call(
      'POST',
      '/api/user/register',
      {
        firstName: value(parts.form, 'firstName'),
        lastName: value(parts.form, 'lastName'),
        email,
        password: value(parts.form, 'password'),
        confirmPassword: value(parts.form, 'confirmPassword'),
        acceptedTerms: checked(parts.form, 'acceptedTerms'),
      },
      { auth: false },
    );
    pendingEmail.set(email.trim());
    navigate('/check-email');
  });
  main.append(h('h1', {}, 'Create your Dispatch account'), parts.form, h('p', {}, 'Already have an account? ', link('/login', 'Log in'), '.'));
}

export function checkEmailPage(main: HTMLElement): void {
  const email = pendingEmail.get();
  const resend = form('Send the verification email again', [field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'email', required: true, value: email ?? '' })], 'Send again');
  onSubmit(resend, async () => {
    await call('POST', '/api/user/verify/resend', { email: value(resend.form, 'email') }, { auth: false });
    resend.status.replaceChildren(infoBox('If this address still needs verifying, a new link is on its way.', 'success'));
  });
  main.append(
    h('h1', {}, 'Check your email'),
    h('p', {}, 'We sent a verification link to ', h('strong', {}, email ?? 'your address'), '. Open it to activate your account; it works once and expires after 24 hours.'),
    h(
      'p',
      { class: 'hint' },
      'Running the quickstart (npm start) without SMTP? The email is a text file in the outbox folder it printed (.dispatch/outbox by default).',
    ),
    h('h2', {}, 'No email?'),
    resend.form,
  );
}

export async function verifyPage(main: HTMLElement): Promise<void> {
  const token = takeTokenFromUrl();
  main.append(h('h1', {}, 'Verify your email'));
  if (!token) {
    main.append(errorBox(new ApiError(400, 'VERIFICATION_TOKEN_INVALID', 'This page needs the link from your verification email')));
    return;
  }
  const status = h('p', { role: 'status' }, 'Verifying…');
  main.append(status);
  try {
    const result = await call<{ verified: boolean; email: string }>('POST', '/api/user/verify', { token }, { auth: false });
    setFlash(`${result.email} is verified. Log in to continue.`, 'success');
    navigate('/login', true);
  } catch (err) {
    status.replaceWith(errorBox(err), h('p', {}, 'Need a new link? ', link('/check-email', 'Send the verification email again'), '.'));
  }
}

export function loginPage(main: HTMLElement): void {
  const parts = form(
    'Log in',
    [
      field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'username', required: true }),
      field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true }),
    ],
    'Log in',
  );
  onSubmit(parts, async () => {
    const email = value(parts.form, 'email');
    try {
      const session = await call<Session & { tokenType: string }>('POST', '/api/user/login', { email, password: value(parts.form, 'password') }, { auth: false });
      setSession({ token: session.token, expiresAt: session.expiresAt, user: session.user });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'EMAIL_NOT_VERIFIED') pendingEmail.set(email.trim());
      throw err;
    }
    navigate(takeNext());
  });
  main.append(
    h('h1', {}, 'Log in to the Dispatch Management Portal'),
    parts.form,
    h('p', {}, 'New here? ', link('/register', 'Create an account'), '. Forgot your password? ', link('/forgot-password', 'Reset it'), '.'),
  );
}

export function invitePage(main: HTMLElement): void {
  const token = takeTokenFromUrl();
  main.append(h('h1', {}, 'Accept your invitation'));
  if (!token) {
    main.append(errorBox(new ApiError(400, 'VERIFICATION_TOKEN_INVALID', 'This page needs the link from your invitation email')));
    return;
  }
  const parts = form(
    'Accept the invitation',
    [
      field({ name: 'firstName', label: 'First name', autocomplete: 'given-name', required: true }),
      field({ name: 'lastName', label: 'Last name', autocomplete: 'family-name', required: true }),
      field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', required: true, hint: passwordHint }),
      field({ name: 'confirmPassword', label: 'Confirm password', type: 'password', autocomplete: 'new-password', required: true }),
    ],
    'Join',
  );
  onSubmit(parts, async () => {
    const joined = await call<{ email: string; role: string }>(
      'POST',
      '/api/user/invite/accept',
      {
        token,
        firstName: value(parts.form, 'firstName'),
        lastName: value(parts.form, 'lastName'),
        password: value(parts.form, 'password'),
        confirmPassword: value(parts.form, 'confirmPassword'),
      },
      { auth: false },
    );
    setFlash(`Welcome! ${joined.email} joined as ${joined.role}. Log in to continue.`, 'success');
    navigate('/login', true);
  });
  main.append(parts.form);
}

export function forgotPasswordPage(main: HTMLElement): void {
  const parts = form('Reset your password', [field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'email', required: true })], 'Send reset link');
  onSubmit(parts, async () => {
    await call('POST', '/api/user/password/forgot', { email: value(parts.form, 'email') }, { auth: false });
    parts.status.replaceChildren(infoBox('If this address has an account, a reset link is on its way. It works once, for an hour.', 'success'));
  });
  main.append(h('h1', {}, 'Forgot your password?'), parts.form);
}

export function resetPasswordPage(main: HTMLElement): void {
  const token = takeTokenFromUrl();
  main.append(h('h1', {}, 'Choose a new password'));
  if (!token) {
    main.append(errorBox(new ApiError(400, 'VERIFICATION_TOKEN_INVALID', 'This page needs the link from your reset email')), h('p', {}, link('/forgot-password', 'Ask for a new link')));
    return;
  }
  const parts = form(
    'Choose a new password',
    [
      field({ name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', required: true, hint: passwordHint }),
      field({ name: 'confirmPassword', label: 'Confirm new password', type: 'password', autocomplete: 'new-password', required: true }),
    ],
    'Set password',
  );
  onSubmit(parts, async () => {
    await call('POST', '/api/user/password/reset', { token, password: value(parts.form, 'password'), confirmPassword: value(parts.form, 'confirmPassword') }, { auth: false });
    setFlash('Your password was changed and every session was signed out. Log in with the new password.', 'success');
    navigate('/login', true);
  });
  main.append(parts.form);
}
