import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { ApiError } from '@/api/errors'
import { useAuthStore, type Role } from '@/auth/store'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in. */
    public?: boolean
    /** Account roles allowed; absent = any signed-in account. */
    roles?: Role[]
    /** Needs a chosen child profile (the parent acts as the student). */
    student?: boolean
    /** Resolves to the signed-in account's start page. */
    home?: boolean
    title?: string
  }
}

const staff: Role[] = ['admin', 'operator']

export const routes: RouteRecordRaw[] = [
  // No component of its own: the guard sends each role to its start page once it knows the role.
  { path: '/', component: () => import('@/ui/NotFoundPage.vue'), meta: { home: true } },
  { path: '/login', component: () => import('@/auth/pages/LoginPage.vue'), meta: { public: true, title: 'Sign in' } },
  { path: '/register', component: () => import('@/auth/pages/RegisterPage.vue'), meta: { public: true, title: 'Create an account' } },
  // Parent
  { path: '/profiles', component: () => import('@/profiles/pages/ProfilePickerPage.vue'), meta: { roles: ['parent'], title: "Who's learning?" } },
  { path: '/children', component: () => import('@/profiles/pages/ChildrenPage.vue'), meta: { roles: ['parent'], title: 'Children' } },
  { path: '/children/:id', component: () => import('@/progress/pages/ChildProgressPage.vue'), meta: { roles: ['parent'], title: 'Child progress' }, props: (r) => ({ id: Number(r.params.id) }) },
  // Student (a parent acting as a child)
  { path: '/learn', component: () => import('@/curriculum/pages/CurriculumPage.vue'), meta: { roles: ['parent'], student: true, title: 'My subjects' } },
  { path: '/learn/chapters/:id', component: () => import('@/curriculum/pages/ChapterPage.vue'), meta: { roles: ['parent'], student: true, title: 'Chapter' }, props: (r) => ({ id: Number(r.params.id) }) },
  { path: '/learn/progress', component: () => import('@/progress/pages/StudentProgressPage.vue'), meta: { roles: ['parent'], student: true, title: 'My progress' } },
  // Admin and operator
  { path: '/admin', component: () => import('@/admin/pages/QueuesPage.vue'), meta: { roles: staff, title: 'Queues' } },
  { path: '/admin/providers', component: () => import('@/admin/pages/ProvidersPage.vue'), meta: { roles: ['admin'], title: 'Providers' } },
  { path: '/admin/analytics', component: () => import('@/admin/pages/AnalyticsPage.vue'), meta: { roles: staff, title: 'AI cost and fallbacks' } },
  { path: '/admin/routes', component: () => import('@/admin/pages/ModelRoutesPage.vue'), meta: { roles: ['admin'], title: 'Model routes' } },
  { path: '/admin/prompts', component: () => import('@/admin/pages/PromptTemplatesPage.vue'), meta: { roles: ['admin'], title: 'Prompt templates' } },
  { path: '/admin/ai-history', component: () => import('@/admin/pages/AiHistoryPage.vue'), meta: { roles: ['admin'], title: 'AI history' } },
  { path: '/admin/review', component: () => import('@/admin/pages/ReviewPage.vue'), meta: { roles: ['admin'], title: 'Content review' } },
  { path: '/operator/batches', component: () => import('@/batches/pages/BatchesPage.vue'), meta: { roles: staff, title: 'Batches' } },
  { path: '/:pathMatch(.*)*', component: () => import('@/ui/NotFoundPage.vue'), meta: { public: true, title: 'Not found' } },
]

export function createAppRouter() {
  const router = createRouter({ history: createWebHistory(), routes })

  router.beforeEach(async (to) => {
    const auth = useAuthStore()
    if (to.path === '/login' && auth.signedIn && !to.query.reason) return '/'
    if (to.meta.public) return true
    if (!auth.signedIn) return { path: '/login', query: { next: to.fullPath } }
    try {
      if (!auth.account) await auth.loadAccount()
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) auth.logout()
      const reason = err instanceof Error ? err.message : String(err)
      return { path: '/login', query: { next: to.fullPath, reason } }
    }
    if (!auth.signedIn) return { path: '/login', query: { next: to.fullPath } }
    if (to.meta.home) {
      if (auth.homePath !== '/login') return auth.homePath
      auth.logout() // e.g. a role this app has no pages for: say so rather than loop
      return { path: '/login', query: { reason: `The ${auth.role ?? 'unknown'} role has no pages here.` } }
    }
    if (to.meta.roles && !to.meta.roles.includes(auth.role as Role)) return auth.homePath
    if (to.meta.student) {
      if (!auth.profileToken) return '/profiles'
      if (!auth.student) {
        try {
          await auth.loadStudent()
        } catch {
          auth.leaveProfile()
          return '/profiles'
        }
      }
    }
    return true
  })

  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · StudyForge` : 'StudyForge'
  })
  return router
}
